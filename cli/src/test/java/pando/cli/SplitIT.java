package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.client.PandoException;
import pando.client.RoutingClient;
import pando.testing.Await;
import pando.testing.WriteAudit;

/**
 * Ranges split while clients write: the PD splits every range that passes a small split size, an
 * operator splits one by hand, and a node added afterwards takes replicas of ranges created by
 * splits (which it receives as the split's seed snapshot, not as a log). Every acknowledged write
 * is readable afterwards, and the ranges together hold each key once.
 */
class SplitIT {
  private static final Duration POLL = Duration.ofMillis(500);
  // Values of about 1 KiB, so a few hundred keys fill a range past the split size.
  private static final String PADDING = "|" + ".".repeat(1000);

  @TempDir Path dir;
  private LocalCluster cluster;
  private AdminCli admin;
  private String pd;

  @BeforeEach
  void start() throws Exception {
    cluster = JarCluster.start(dir, 4, 3, "320m", List.of(
        "--initial-nodes=3", "--initial-ranges=2", "--replication=3", "--split-size=256KiB",
        "--range-cooldown=2s"));
    pd = JarCluster.pd(cluster);
    admin = new AdminCli(pd);
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private int rangeCount() {
    JsonElement ranges = admin.json("ranges");
    return ranges == null ? 0 : ranges.getAsJsonArray().size();
  }

  private boolean settled() {
    JsonElement s = admin.json("status");
    return s != null && s.getAsJsonObject().get("operators").getAsInt() == 0
        && s.getAsJsonObject().get("under_replicated").getAsInt() == 0;
  }

  /** Keys each range's leader reports, summed over ranges; -1 while some range has no leader report. */
  private long keysInRanges() {
    JsonElement ranges = admin.json("ranges");
    if (ranges == null) {
      return -1;
    }
    long keys = 0;
    for (JsonElement r : ranges.getAsJsonArray()) {
      long leaderKeys = -1;
      for (JsonElement replica : r.getAsJsonObject().getAsJsonArray("replicas")) {
        JsonObject o = replica.getAsJsonObject();
        if (o.get("leader").getAsBoolean()) {
          leaderKeys = o.get("keys").getAsLong();
        }
      }
      if (leaderKeys < 0) {
        return -1;
      }
      keys += leaderKeys;
    }
    return keys;
  }

  @Test
  void rangesSplitUnderWritesAndKeepEveryAcknowledgedWrite() throws Exception {
    try (RoutingClient client = RoutingClient.connect(List.of(pd), Duration.ofSeconds(10));
        ThroughOneNode viaNode = new ThroughOneNode(cluster.members().get(0).apiAddress())) {
      WriteAudit audit = WriteAudit.start("SplitIT", System.nanoTime(), 4, 1_000_000,
          (random, key, value) -> client.put(utf8(key), utf8(value + PADDING)));
      long started = System.nanoTime();
      Await.until(Duration.ofSeconds(240), POLL, "the PD split ranges as they grew to 6", () -> rangeCount() >= 6);
      System.out.printf("SplitIT: 2 -> %d ranges by size in %d ms, %d writes acknowledged%n", rangeCount(),
          (System.nanoTime() - started) / 1_000_000, audit.acknowledgedCount());

      // A split by hand, under the same writes.
      StringWriter out = new StringWriter();
      int before = rangeCount();
      Await.until(Duration.ofSeconds(60), POLL, "a manual split of range 1 (retried while a size split runs)",
          () -> admin.run(out, "split", "1") == 0);
      System.out.printf("SplitIT: pando admin split 1:%n%s", out);
      assertThat(rangeCount()).isGreaterThan(before);

      // A fourth node takes replicas, among them of ranges made by splits.
      cluster.start(3);
      Await.until(Duration.ofSeconds(240), POLL, "n4 holds replicas and nothing is moving", () -> {
        JsonElement nodes = admin.json("nodes");
        if (nodes == null) {
          return false;
        }
        for (JsonElement n : nodes.getAsJsonArray()) {
          if (n.getAsJsonObject().get("id").getAsString().equals("n4")
              && n.getAsJsonObject().get("replicas_in_table").getAsInt() >= 2) {
            return settled();
          }
        }
        return false;
      });
      audit.awaitMoreAcknowledged(100, Duration.ofSeconds(60), "after the splits and moves");
      audit.stop();
      viaNode.stop();
      System.out.printf("SplitIT: through n1 alone: %d writes acknowledged, failures by code %s%n",
          viaNode.acknowledged.size(), viaNode.failures);
      // n1 follows a key to the range it went to in a split: a writer never learns of splits.
      assertThat(viaNode.splitRefusals).as("writes through n1 refused because of a split").isEmpty();
      assertThat(viaNode.acknowledged).isNotEmpty();
      int[] rereads = new int[1];
      for (String key : viaNode.acknowledged) {
        assertThat(readBack(client, key, rereads)).as(key).isPresent();
      }
      int lost = audit.lostWrites(key -> readBack(client, key, rereads)
          .map(v -> v.endsWith(PADDING) ? v.substring(0, v.length() - PADDING.length()) : v));
      System.out.printf("SplitIT: reads asked again after running out of attempts: %d%n", rereads[0]);
      assertThat(lost).as("acknowledged writes lost").isZero();

      // Each key is in exactly one range: no split left a copy behind. (Writes that failed may
      // still have taken effect, so the total lies between acknowledged and attempted writes.)
      long[] keys = new long[1];
      long acknowledged = audit.acknowledgedCount() + viaNode.acknowledged.size();
      Await.until(Duration.ofSeconds(30), POLL, "every range's leader reported its keys", () -> {
        keys[0] = keysInRanges();
        return keys[0] >= acknowledged;
      });
      System.out.printf("SplitIT: %d ranges hold %d keys; %d writes acknowledged%n", rangeCount(), keys[0],
          audit.acknowledgedCount());
      assertThat(keys[0]).isBetween(acknowledged, (long) audit.attemptedCount() + viaNode.attempted.get());
      // n4's replicas hold data it can only have got from a split's seed snapshot or a later one.
      JsonElement n4 = admin.json("nodes").getAsJsonArray().asList().stream()
          .filter(n -> n.getAsJsonObject().get("id").getAsString().equals("n4")).findFirst().orElseThrow();
      assertThat(n4.getAsJsonObject().get("keys").getAsLong()).isPositive();
    }
  }

  /**
   * Writes new keys one after another through one node, which forwards each to its range: Puts, and
   * every fourth time a BatchPut of two keys.
   */
  private static final class ThroughOneNode implements AutoCloseable {
    final List<String> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.Map<io.grpc.Status.Code, Integer> failures = new java.util.concurrent.ConcurrentHashMap<>();
    final List<String> splitRefusals = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger attempted = new java.util.concurrent.atomic.AtomicInteger();
    private final pando.client.PandoClient node;
    private final java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
    private final Thread thread;

    ThroughOneNode(String endpoint) {
      node = pando.client.PandoClient.connect(endpoint, Duration.ofSeconds(10));
      thread = new Thread(this::run, "writes-through-n1");
      thread.start();
    }

    private void run() {
      // Bounded: the test stops it long before, and a stuck test stops at the cap.
      for (int i = 0; running.get() && i < 1_000_000; i++) {
        String key = "via-n1-" + i;
        try {
          if (i % 4 == 3) { // a batch of two keys, most often of two ranges
            attempted.addAndGet(2);
            node.batchPut(java.util.Map.of(utf8(key + "-a"), utf8("v" + PADDING), utf8(key + "-b"), utf8("v" + PADDING)));
            acknowledged.addAll(List.of(key + "-a", key + "-b"));
          } else {
            attempted.incrementAndGet();
            node.put(utf8(key), utf8("v" + PADDING));
            acknowledged.add(key);
          }
        } catch (PandoException e) {
          failures.merge(e.code(), 1, Integer::sum);
          if (e.getMessage().contains("since a split")) {
            splitRefusals.add(e.getMessage());
          }
        }
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(Duration.ofSeconds(30).toMillis());
    }

    @Override
    public void close() throws InterruptedException {
      stop();
      node.close();
    }
  }

  /**
   * A key's value, read through the routing client. A read that runs out of the client's attempts
   * while a range settles (its leader moving or just elected) is asked again, within a deadline:
   * the audit is about lost writes; how often reads had to wait is counted in {@code rereads}.
   */
  private static java.util.Optional<String> readBack(RoutingClient client, String key, int[] rereads) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        return client.get(utf8(key)).map(v -> new String(v, StandardCharsets.UTF_8));
      } catch (PandoException e) {
        boolean settling = e.code() == io.grpc.Status.Code.UNAVAILABLE
            || e.code() == io.grpc.Status.Code.FAILED_PRECONDITION && e.getMessage().contains("does not lead");
        if (!settling || System.nanoTime() > deadline) {
          throw e;
        }
        rereads[0]++;
      }
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
