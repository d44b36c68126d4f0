package pando.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pando.client.KvClient;

/**
 * Pando as a benchmark target: client threads spread over the given clients, one thread always on
 * the same client (one client per node when requests go through nodes, one routing client
 * otherwise).
 */
public final class KvClientTarget implements BenchTarget {
  private final List<KvClient> clients;

  public KvClientTarget(List<KvClient> clients) {
    if (clients.isEmpty()) {
      throw new IllegalArgumentException("at least one client is needed");
    }
    this.clients = List.copyOf(clients);
  }

  private KvClient client() {
    return clients.get((int) (Thread.currentThread().getId() % clients.size()));
  }

  @Override
  public void put(byte[] key, byte[] value) {
    client().put(key, value);
  }

  @Override
  public Optional<byte[]> get(byte[] key) {
    return client().get(key);
  }

  @Override
  public void load(List<byte[]> keys, byte[] value) {
    Map<byte[], byte[]> batch = new LinkedHashMap<>();
    keys.forEach(k -> batch.put(k, value));
    client().batchPut(batch);
  }
}
