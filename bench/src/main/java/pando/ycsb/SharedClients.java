package pando.ycsb;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pando.client.RoutingClient;

/**
 * One {@link RoutingClient} per (placement driver, timeout), shared by every {@link PandoDB} of the
 * process: YCSB makes one DB object per client thread, while a routing client is thread-safe and
 * meant to be shared (one range table, one channel per node). Closed when its last user leaves.
 */
final class SharedClients {
  record Settings(List<String> pd, Duration timeout) {}

  private static final Map<Settings, Entry> CLIENTS = new HashMap<>();

  private static final class Entry {
    final RoutingClient client;
    int users;

    Entry(RoutingClient client) {
      this.client = client;
    }
  }

  private SharedClients() {}

  static synchronized RoutingClient acquire(Settings settings) {
    Entry entry = CLIENTS.computeIfAbsent(settings,
        s -> new Entry(RoutingClient.connect(s.pd(), s.timeout())));
    entry.users++;
    return entry.client;
  }

  static synchronized void release(Settings settings) {
    Entry entry = CLIENTS.get(settings);
    if (entry == null) {
      throw new IllegalStateException("released a client that was never acquired: " + settings);
    }
    if (--entry.users == 0) {
      CLIENTS.remove(settings);
      entry.client.close();
    }
  }
}
