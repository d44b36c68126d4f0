package pando.benchcompare;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import pando.bench.BenchTarget;

/**
 * etcd as a benchmark target, through the official Java client (jetcd): one client, shared by every
 * benchmark thread, spreading requests over all members as jetcd does. Reads are etcd's default,
 * linearizable ones, as Pando's are.
 */
final class EtcdTarget implements BenchTarget, AutoCloseable {
  /** Keys per load transaction: under etcd's default --max-txn-ops of 128. */
  static final int LOAD_TXN_OPS_MAX = 100;

  private final Client client;
  private final KV kv;
  private final Duration timeout;

  private EtcdTarget(Client client, Duration timeout) {
    this.client = client;
    this.kv = client.getKVClient();
    this.timeout = timeout;
  }

  /** {@code endpoints} as {@code host:port} (client URLs, plain HTTP). */
  static EtcdTarget connect(List<String> endpoints, Duration timeout) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no etcd endpoint given");
    }
    String[] urls = endpoints.stream().map(e -> e.contains("://") ? e : "http://" + e).toArray(String[]::new);
    return new EtcdTarget(Client.builder().endpoints(urls).connectTimeout(timeout).build(), timeout);
  }

  @Override
  public void put(byte[] key, byte[] value) throws Exception {
    await(kv.put(ByteSequence.from(key), ByteSequence.from(value)));
  }

  @Override
  public Optional<byte[]> get(byte[] key) throws Exception {
    GetResponse response = await(kv.get(ByteSequence.from(key)));
    return response.getKvs().isEmpty() ? Optional.empty()
        : Optional.of(response.getKvs().get(0).getValue().getBytes());
  }

  /** One transaction per {@value #LOAD_TXN_OPS_MAX} keys: atomic, one Raft entry each, like Pando's batchPut per range. */
  @Override
  public void load(List<byte[]> keys, byte[] value) throws Exception {
    ByteSequence v = ByteSequence.from(value);
    for (int from = 0; from < keys.size(); from += LOAD_TXN_OPS_MAX) {
      List<byte[]> part = keys.subList(from, Math.min(keys.size(), from + LOAD_TXN_OPS_MAX));
      Op[] puts = part.stream().map(k -> Op.put(ByteSequence.from(k), v, PutOption.DEFAULT)).toArray(Op[]::new);
      await(kv.txn().Then(puts).commit());
    }
  }

  private <T> T await(CompletableFuture<T> call) throws Exception {
    try {
      return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      // The cause says what etcd answered; the wrapper adds nothing.
      throw e.getCause() instanceof Exception cause ? cause : e;
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new TimeoutException("etcd did not answer within " + timeout.toMillis() + " ms");
    }
  }

  @Override
  public void close() {
    kv.close();
    client.close();
  }
}
