package pando.client;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import pando.api.RequestLimits;
import pando.v1.BatchGetRequest;
import pando.v1.BatchPutRequest;
import pando.v1.CasRequest;
import pando.v1.CasResponse;
import pando.v1.DeleteRequest;
import pando.v1.GetRequest;
import pando.v1.GetResponse;
import pando.v1.IncrRequest;
import pando.v1.KVGrpc;
import pando.v1.KeyValue;
import pando.v1.PutRequest;
import pando.v1.ReadConsistency;

/**
 * A client of one Pando node. The node forwards each request to the leader of the key's range, so
 * one endpoint reaches the whole cluster. Every call waits at most {@code requestTimeout}; failures
 * surface as {@link PandoException} with the gRPC status code.
 *
 * <p>Thread-safe; share one instance and close it when done.
 */
public final class PandoClient implements KvClient {
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_RESPONSE_BYTES = 80 * 1024 * 1024;

  private final String endpoint;
  private final ManagedChannel channel;
  private final KVGrpc.KVBlockingStub stub;
  private final Duration requestTimeout;
  private final RequestLimits limits = RequestLimits.defaults();

  private PandoClient(String endpoint, ManagedChannel channel, Duration requestTimeout) {
    this.endpoint = endpoint;
    this.channel = channel;
    this.stub = KVGrpc.newBlockingStub(channel);
    this.requestTimeout = requestTimeout;
  }

  /** Connects (lazily) to a node's API endpoint, {@code host:port}. */
  public static PandoClient connect(String endpoint, Duration requestTimeout) {
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive, got " + requestTimeout);
    }
    ManagedChannel channel = pando.api.KeepAlive.on(ManagedChannelBuilder.forTarget(endpoint).usePlaintext())
        // Room for the largest answer any node configuration can send (values up to 64 MiB).
        .maxInboundMessageSize(MAX_RESPONSE_BYTES)
        .build();
    return new PandoClient(endpoint, channel, requestTimeout);
  }

  public static PandoClient connect(String endpoint) {
    return connect(endpoint, DEFAULT_REQUEST_TIMEOUT);
  }

  private KVGrpc.KVBlockingStub call() {
    return stub.withDeadlineAfter(requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private ByteString key(byte[] key) {
    ByteString k = ByteString.copyFrom(key);
    limits.checkKey(k).ifPresent(problem -> {
      throw new PandoException(Status.Code.INVALID_ARGUMENT, "invalid request: " + problem, null);
    });
    return k;
  }

  public void put(byte[] key, byte[] value) {
    run(() -> call().put(PutRequest.newBuilder().setKey(key(key)).setValue(ByteString.copyFrom(value)).build()));
  }

  /** A linearizable read: sees every write acknowledged before it started. */
  public Optional<byte[]> get(byte[] key) {
    return get(key, ReadConsistency.LINEARIZABLE);
  }

  public Optional<byte[]> get(byte[] key, ReadConsistency consistency) {
    GetResponse response = run(() -> call().get(
        GetRequest.newBuilder().setKey(key(key)).setConsistency(consistency).build()));
    return value(response);
  }

  /** Removes a key; true if it existed. */
  public boolean delete(byte[] key) {
    return run(() -> call().delete(DeleteRequest.newBuilder().setKey(key(key)).build())).getDeleted();
  }

  /**
   * Writes {@code newValue} only if the key currently holds {@code expected}, or, when {@code
   * expected} is empty, only if the key is absent.
   */
  public CasResult cas(byte[] key, Optional<byte[]> expected, byte[] newValue) {
    CasRequest.Builder request = CasRequest.newBuilder().setKey(key(key)).setNewValue(ByteString.copyFrom(newValue));
    expected.ifPresent(e -> request.setExpected(ByteString.copyFrom(e)));
    CasResponse response = run(() -> call().cas(request.build()));
    return new CasResult(response.getSucceeded(),
        response.getCurrentFound() ? Optional.of(response.getCurrent().toByteArray()) : Optional.empty());
  }

  /** Adds {@code delta} to an 8-byte counter (absent counts as 0) and returns the new value. */
  public long incr(byte[] key, long delta) {
    return run(() -> call().incr(IncrRequest.newBuilder().setKey(key(key)).setDelta(delta).build())).getValue();
  }

  /** Reads many keys; results are in the order of {@code keys}. */
  public List<Optional<byte[]>> batchGet(List<byte[]> keys, ReadConsistency consistency) {
    BatchGetRequest.Builder request = BatchGetRequest.newBuilder().setConsistency(consistency);
    keys.forEach(k -> request.addKeys(key(k)));
    return run(() -> call().batchGet(request.build())).getResultsList().stream().map(PandoClient::value).toList();
  }

  /** Writes many keys; keys of one range are written atomically, keys of different ranges are not. */
  public void batchPut(Map<byte[], byte[]> entries) {
    BatchPutRequest.Builder request = BatchPutRequest.newBuilder();
    entries.forEach((k, v) -> request.addEntries(KeyValue.newBuilder().setKey(key(k)).setValue(ByteString.copyFrom(v))));
    run(() -> call().batchPut(request.build()));
  }

  private static Optional<byte[]> value(GetResponse response) {
    return response.getFound() ? Optional.of(response.getValue().toByteArray()) : Optional.empty();
  }

  private interface Call<T> {
    T run();
  }

  private <T> T run(Call<T> call) {
    try {
      return call.run();
    } catch (StatusRuntimeException e) {
      pando.api.KeepAlive.reconnectSoonAfter(channel, e);
      throw PandoException.from(e, endpoint);
    }
  }

  @Override
  public void close() {
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
