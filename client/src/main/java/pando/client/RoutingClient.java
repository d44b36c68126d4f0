package pando.client;

import com.google.protobuf.ByteString;
import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import pando.api.KeyHash;
import pando.api.RequestLimits;
import pando.api.hot.HotKey;
import pando.api.pd.PdConnection;
import pando.v1.BatchGetRequest;
import pando.v1.BatchGetResponse;
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
import pando.v1.OpenSessionRequest;
import pando.v1.Route;
import pando.v1.WriteId;
import pando.api.range.RangeDescriptor;

/**
 * A client of a whole Pando cluster that sends each request straight to the node that can serve
 * it. It learns the range table from the placement driver (PD), sends every request to the
 * leader of its key's range with the route it chose, and follows the nodes' corrections: a newer
 * range after a split, another leader, a range the node no longer holds.
 *
 * <p>Every call waits at most {@code requestTimeout} in all, retries included, and makes a bounded
 * number of attempts. A refusal that carries routing advice (the node applied nothing) is retried
 * for every call, and so is a request that got no answer: every write carries an identity ({@link
 * pando.v1.WriteId}) from this client's writer session on its range, kept across its retries, so
 * the range applies it at most once however many attempts reach it. A write whose attempts went
 * unanswered until the deadline fails with a message saying its outcome is unknown: it may have
 * taken effect, once at most. Sessions are opened on a range's first write and live in this
 * client: a new client (a new process) has new sessions, and cannot resolve an earlier client's
 * unknown outcomes. Failures surface as {@link PandoException} with the gRPC status code.
 *
 * <p>Thread-safe; share one instance and close it when done.
 */
public final class RoutingClient implements KvClient {
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Threads sending the per-range parts of batch calls side by side, shared by all calls. */
  private static final int BATCH_THREADS = 4;
  private static final int BATCH_QUEUE = 1024;

  private final PdConnection pd;
  private final NodeChannels channels;
  private final ThreadPoolExecutor batchPool;
  private final RoutedCall.Shared shared;
  private final Duration requestTimeout;
  private final RequestLimits limits = RequestLimits.defaults();
  private final HotKeys hotKeys;
  private final Random random;
  private final WriterSessions sessions = new WriterSessions();
  private final RoutedCall.Identities identities = new RoutedCall.Identities() {
    @Override
    public WriteId issue(RangeDescriptor range, Deadline deadline, int maxAttempts) {
      return sessions.issue(range.rangeId(), () -> openSession(range, deadline, maxAttempts));
    }

    @Override
    public void done(WriteId id) {
      sessions.done(id);
    }

    @Override
    public void lost(long rangeId, WriteId id) {
      sessions.lost(rangeId, id);
    }
  };

  private RoutingClient(PdConnection pd, Duration requestTimeout, Random random) {
    this.pd = pd;
    this.channels = new NodeChannels();
    // Bounded: when every thread is busy and the queue is full, the calling thread sends the part.
    this.batchPool = new ThreadPoolExecutor(BATCH_THREADS, BATCH_THREADS, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(BATCH_QUEUE), daemonThreads(), new ThreadPoolExecutor.CallerRunsPolicy());
    // An idle client holds no threads.
    batchPool.allowCoreThreadTimeOut(true);
    this.shared = new RoutedCall.Shared(
        new Routes(pd), channels, Backoff.defaults(random), random, batchPool);
    this.requestTimeout = requestTimeout;
    this.hotKeys = new HotKeys(pd, System::nanoTime, batchPool);
    this.random = random;
  }

  /**
   * A client of the cluster whose placement driver replicas listen at {@code pdAddresses}
   * ({@code host:port} each). Connects lazily: nothing is contacted before the first call.
   */
  public static RoutingClient connect(List<String> pdAddresses, Duration requestTimeout) {
    return connect(pdAddresses, requestTimeout, new Random());
  }

  public static RoutingClient connect(List<String> pdAddresses) {
    return connect(pdAddresses, DEFAULT_REQUEST_TIMEOUT);
  }

  /** With a chosen random source (backoff jitter, replica order of STALE reads), for tests. */
  static RoutingClient connect(List<String> pdAddresses, Duration requestTimeout, Random random) {
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("request timeout must be positive, got " + requestTimeout);
    }
    return new RoutingClient(new PdConnection(pdAddresses), requestTimeout, random);
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "pando-routing-batch-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  public void put(byte[] key, byte[] value) {
    ByteString k = key(key, "");
    ByteString v = ByteString.copyFrom(value);
    write(k, (stub, route, id) -> stub.put(
        PutRequest.newBuilder().setKey(k).setValue(v).setRoute(route).setWriteId(id).build()));
  }

  /** A linearizable read: sees every write acknowledged before it started. */
  public Optional<byte[]> get(byte[] key) {
    return get(key, ReadConsistency.LINEARIZABLE);
  }

  /** A read; a STALE one may be served by any replica and miss recent writes. */
  public Optional<byte[]> get(byte[] key, ReadConsistency consistency) {
    ByteString k = key(key, "");
    checkConsistency(consistency);
    // A read-hot key is read from one of its salted copies, picked at random (see HotKey).
    Optional<ByteString> copy = hotCopy(k, HotKey.Operation.READ);
    if (copy.isPresent()) {
      try {
        return value(getOne(copy.get(), consistency));
      } catch (PandoException e) {
        if (!copyNotInUse(e)) {
          throw e;
        }
        hotKeys.refreshNow();
      }
    }
    return value(getOne(k, consistency));
  }

  private GetResponse getOne(ByteString k, ReadConsistency consistency) {
    return read(k, targetFor(consistency), (stub, route) -> stub.get(
        GetRequest.newBuilder().setKey(k).setConsistency(consistency).setRoute(route).build()));
  }

  /** The salted copy to use for {@code operation} on {@code key}, if the key is hot and spread. */
  private Optional<ByteString> hotCopy(ByteString key, HotKey.Operation operation) {
    return hotKeys.current().lookup(key)
        .map(hot -> hot.plan(operation, random))
        .flatMap(plan -> plan instanceof HotKey.Plan.OneCopy one ? Optional.of(one.key()) : Optional.empty());
  }

  /** A node refused a salted copy: the client's table is behind the node's. */
  private static boolean copyNotInUse(PandoException e) {
    return e.code() == Status.Code.FAILED_PRECONDITION && e.getMessage() != null
        && (e.getMessage().contains("salted copy not in use") || e.getMessage().contains("sealed"));
  }

  /**
   * Removes a key; true if it existed. If an attempt went unanswered and the retry found the key
   * gone, the answer is false even though this call may have been the one that removed it.
   */
  public boolean delete(byte[] key) {
    ByteString k = key(key, "");
    return write(k, (stub, route, id) -> stub.delete(
        DeleteRequest.newBuilder().setKey(k).setRoute(route).setWriteId(id).build())).getDeleted();
  }

  /**
   * Writes {@code newValue} only if the key currently holds {@code expected}, or, when {@code
   * expected} is empty, only if the key is absent.
   */
  public CasResult cas(byte[] key, Optional<byte[]> expected, byte[] newValue) {
    ByteString k = key(key, "");
    CasRequest.Builder builder = CasRequest.newBuilder().setKey(k).setNewValue(ByteString.copyFrom(newValue));
    expected.ifPresent(e -> builder.setExpected(ByteString.copyFrom(e)));
    CasRequest request = builder.build();
    CasResponse response = write(k, (stub, route, id) -> stub.cas(
        request.toBuilder().setRoute(route).setWriteId(id).build()));
    return new CasResult(response.getSucceeded(),
        response.getCurrentFound() ? Optional.of(response.getCurrent().toByteArray()) : Optional.empty());
  }

  /**
   * Adds {@code delta} to an 8-byte counter (absent counts as 0) and returns the new value. For a
   * counter salted as write-hot, the increment goes to one of its copies, and the value returned is
   * that copy's, not the counter's total: read the counter for the total.
   */
  public long incr(byte[] key, long delta) {
    ByteString k = key(key, "");
    Optional<ByteString> copy = hotCopy(k, HotKey.Operation.INCREMENT);
    if (copy.isPresent()) {
      try {
        return incrOne(copy.get(), delta);
      } catch (PandoException e) {
        // Refused before it was applied (the copy is sealed or no longer in use): safe to send again.
        if (!copyNotInUse(e)) {
          throw e;
        }
        hotKeys.refreshNow();
      }
    }
    return incrOne(k, delta);
  }

  private long incrOne(ByteString k, long delta) {
    return write(k, (stub, route, id) -> stub.incr(
        IncrRequest.newBuilder().setKey(k).setDelta(delta).setRoute(route).setWriteId(id).build())).getValue();
  }

  /**
   * Reads many keys; results are in the order of {@code keys}. Keys are sent to their ranges in
   * one request per range; the batch is not a snapshot across ranges.
   */
  public List<Optional<byte[]>> batchGet(List<byte[]> keys, ReadConsistency consistency) {
    checkBatchSize(keys.size());
    checkConsistency(consistency);
    List<ByteString> checked = new ArrayList<>(keys.size());
    for (int i = 0; i < keys.size(); i++) {
      checked.add(key(keys.get(i), "key #" + i + ": "));
    }
    GetResponse[] results = new GetResponse[checked.size()];
    call(checked, null, targetFor(consistency), (stub, route, positions, id) -> {
      BatchGetRequest.Builder request = BatchGetRequest.newBuilder().setConsistency(consistency).setRoute(route);
      positions.forEach(p -> request.addKeys(checked.get(p)));
      BatchGetResponse response = stub.batchGet(request.build());
      if (response.getResultsCount() != positions.size()) {
        throw new PandoException(Status.Code.INTERNAL, "internal: a node answered " + response.getResultsCount()
            + " results for " + positions.size() + " keys", null);
      }
      for (int i = 0; i < positions.size(); i++) {
        results[positions.get(i)] = response.getResults(i);
      }
    });
    return Arrays.stream(results).map(RoutingClient::value).toList();
  }

  /**
   * Writes many keys, one request per range: keys of one range are written atomically, keys of
   * different ranges are not, and a failure may leave some ranges' keys written.
   */
  public void batchPut(Map<byte[], byte[]> entries) {
    batchPut(entries, requestTimeout, RoutedCall.MAX_ATTEMPTS);
  }

  /** {@link #batchPut(Map)} within {@code timeout}, at most {@code maxAttempts} attempts per range. */
  private void batchPut(Map<byte[], byte[]> entries, Duration timeout, int maxAttempts) {
    checkBatchSize(entries.size());
    List<KeyValue> checked = new ArrayList<>(entries.size());
    for (Map.Entry<byte[], byte[]> entry : entries.entrySet()) {
      ByteString k = key(entry.getKey(), "entry #" + checked.size() + ": ");
      checked.add(KeyValue.newBuilder().setKey(k).setValue(ByteString.copyFrom(entry.getValue())).build());
    }
    call(checked.stream().map(KeyValue::getKey).toList(), identities, RoutedCall.Target.LEADER, timeout, maxAttempts,
        (stub, route, positions, id) -> {
          BatchPutRequest.Builder request = BatchPutRequest.newBuilder().setRoute(route).setWriteId(id);
          positions.forEach(p -> request.addEntries(checked.get(p)));
          stub.batchPut(request.build());
        });
  }

  /**
   * Loads {@code records} in batches grouped by range, with a bounded number in flight (see
   * {@link BulkLoad}): records the API refuses are rejected with the reason and the rest written.
   *
   * @throws BulkLoad.LoadFailed if a batch could not be written even after retries; its progress
   *     says from where a rerun can go on
   */
  public BulkLoad.Result load(java.util.Iterator<BulkLoad.Record> records, BulkLoad.Options options,
      java.util.function.Consumer<BulkLoad.Progress> onProgress) {
    return BulkLoad.run(records, new BulkLoad.Writer() {
      @Override
      public void write(List<BulkLoad.Record> batch) {
        Map<byte[], byte[]> entries = new java.util.LinkedHashMap<>();
        batch.forEach(r -> entries.put(r.key(), r.value()));
        // Bounded by the batch's time alone: a range may be without a leader for longer than the
        // attempts of a request allow, and each attempt keeps the batch's identity (applied once).
        batchPut(entries, options.batchTimeout(), Integer.MAX_VALUE);
      }

      @Override
      public long groupOf(byte[] key) {
        // 0 until the first request fetched the table: those records share one group.
        return shared.routes().view().locate(key).map(pando.api.range.RangeDescriptor::rangeId).orElse(0L);
      }
    }, limits, options, onProgress);
  }

  /** A write of one key to its range's leader, with this client's identity for it. */
  private <T> T write(ByteString key, WriteRpc<T> rpc) {
    AtomicReference<T> answer = new AtomicReference<>();
    call(List.of(key), identities, RoutedCall.Target.LEADER,
        (stub, route, positions, id) -> answer.set(rpc.send(stub, route, id)));
    return answer.get();
  }

  private interface WriteRpc<T> {
    T send(KVGrpc.KVBlockingStub stub, Route route, WriteId id);
  }

  private <T> T read(ByteString key, RoutedCall.Target target, BiFunction<KVGrpc.KVBlockingStub, Route, T> rpc) {
    AtomicReference<T> answer = new AtomicReference<>();
    call(List.of(key), null, target, (stub, route, positions, id) -> answer.set(rpc.apply(stub, route)));
    return answer.get();
  }

  private void call(List<ByteString> keys, RoutedCall.Identities ids, RoutedCall.Target target,
      RoutedCall.Sender sender) {
    call(keys, ids, target, requestTimeout, RoutedCall.MAX_ATTEMPTS, sender);
  }

  private void call(List<ByteString> keys, RoutedCall.Identities ids, RoutedCall.Target target, Duration timeout,
      int maxAttempts, RoutedCall.Sender sender) {
    long[] hashes = keys.stream().mapToLong(k -> KeyHash.of(k.toByteArray())).toArray();
    Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
    new RoutedCall(shared, deadline, ids, target, hashes, sender, maxAttempts).run();
  }

  /** Opens a writer session on {@code range} through its leader; returns the session's id. */
  private long openSession(RangeDescriptor range, Deadline deadline, int maxAttempts) {
    AtomicReference<Long> session = new AtomicReference<>();
    new RoutedCall(shared, deadline, null, RoutedCall.Target.LEADER, new long[] {range.bounds().start()},
        (stub, route, positions, id) -> session.set(
            stub.openSession(OpenSessionRequest.newBuilder().setRoute(route).build()).getSession()), maxAttempts)
        .run();
    return session.get();
  }

  private static RoutedCall.Target targetFor(ReadConsistency consistency) {
    return consistency == ReadConsistency.STALE ? RoutedCall.Target.ANY_REPLICA : RoutedCall.Target.LEADER;
  }

  private ByteString key(byte[] key, String where) {
    ByteString k = ByteString.copyFrom(key);
    limits.checkKey(k).ifPresent(problem -> {
      throw invalid(where + problem);
    });
    return k;
  }

  private void checkBatchSize(int entries) {
    limits.checkBatchSize(entries).ifPresent(problem -> {
      throw invalid(problem);
    });
  }

  private static void checkConsistency(ReadConsistency consistency) {
    if (consistency == ReadConsistency.UNRECOGNIZED) {
      throw invalid("unknown read consistency; use LINEARIZABLE or STALE");
    }
  }

  private static PandoException invalid(String problem) {
    return new PandoException(Status.Code.INVALID_ARGUMENT, "invalid request: " + problem, null);
  }

  private static Optional<byte[]> value(GetResponse response) {
    return response.getFound() ? Optional.of(response.getValue().toByteArray()) : Optional.empty();
  }

  @Override
  public void close() {
    batchPool.shutdown();
    channels.close();
    pd.close();
  }
}
