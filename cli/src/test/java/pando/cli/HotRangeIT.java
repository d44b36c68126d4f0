package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.client.PandoException;
import pando.client.RoutingClient;
import pando.testing.Await;
import pando.testing.WriteAudit;

/**
 * A range that stays busy is split by load, not size: one range, writes spread over many keys, a
 * low load threshold and no size splits. The PD splits it at its load median until each range
 * serves less than the threshold, spreads the leaders of the busy ranges over the nodes, and every
 * acknowledged write is readable afterwards.
 */
class HotRangeIT {
  private static final Duration POLL = Duration.ofMillis(500);

  @TempDir Path dir;
  private LocalCluster cluster;
  private AdminCli admin;
  private String pd;

  @BeforeEach
  void start() throws Exception {
    cluster = JarCluster.start(dir, 3, 3, "320m", List.of(
        "--initial-nodes=3", "--initial-ranges=1", "--replication=3", "--split-size=0",
        "--hot-range-ops=30", "--hot-range-window=3s", "--range-cooldown=2s"));
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

  /** How many ranges each node leads, by the PD's leader hints; empty while some range has none. */
  private Map<String, Integer> leadersPerNode() {
    JsonElement ranges = admin.json("ranges");
    Map<String, Integer> led = new HashMap<>();
    if (ranges == null) {
      return led;
    }
    for (JsonElement r : ranges.getAsJsonArray()) {
      String leader = r.getAsJsonObject().get("leader").getAsString();
      if (leader.isEmpty()) {
        return Map.of();
      }
      led.merge(leader, 1, Integer::sum);
    }
    return led;
  }

  @Test
  void aBusyRangeIsSplitByLoadAndKeepsEveryAcknowledgedWrite() throws Exception {
    try (RoutingClient client = RoutingClient.connect(List.of(pd), Duration.ofSeconds(10))) {
      WriteAudit audit = WriteAudit.start("HotRangeIT", System.nanoTime(), 4, 1_000_000,
          (random, key, value) -> client.put(utf8(key), utf8(value)));
      long started = System.nanoTime();
      Await.until(Duration.ofSeconds(240), POLL, "the PD split the busy range by load into 3",
          () -> rangeCount() >= 3);
      System.out.printf("HotRangeIT: 1 -> %d ranges by load in %d ms, %d writes acknowledged%n", rangeCount(),
          (System.nanoTime() - started) / 1_000_000, audit.acknowledgedCount());

      // Busy ranges do not all stay led by one node.
      int[] ranges = new int[1];
      Await.until(Duration.ofSeconds(120), POLL, "no node leads more than its share of the busy ranges", () -> {
        ranges[0] = rangeCount();
        Map<String, Integer> led = leadersPerNode();
        int share = (ranges[0] + 2) / 3;
        return !led.isEmpty() && led.values().stream().allMatch(n -> n <= share);
      });
      System.out.printf("HotRangeIT: leaders per node %s over %d ranges%n", leadersPerNode(), ranges[0]);

      audit.awaitMoreAcknowledged(100, Duration.ofSeconds(60), "after the load splits");
      audit.stop();
      int lost = audit.lostWrites(key -> {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
          try {
            return client.get(utf8(key)).map(v -> new String(v, StandardCharsets.UTF_8));
          } catch (PandoException e) {
            if (e.code() != io.grpc.Status.Code.UNAVAILABLE || System.nanoTime() > deadline) {
              throw e;
            }
          }
        }
      });
      assertThat(lost).as("acknowledged writes lost").isZero();
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
