package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.client.RoutingClient;
import pando.testing.Await;
import pando.testing.WriteAudit;

/**
 * The placement driver's scheduler on real node processes while clients write: a cluster
 * bootstrapped on three nodes grows to five and the PD balances replicas and leaders onto the new
 * ones; a node killed with SIGKILL has its replicas re-created elsewhere, and then a second one; a
 * drained node is emptied and removed. Every acknowledged write is readable after each step.
 */
class ElasticityIT {
  private static final int RANGES = 6;
  // Each check runs `pando admin` commands against the PD: not too often.
  private static final Duration POLL = Duration.ofMillis(500);

  @TempDir Path dir;
  private LocalCluster cluster;
  private String pd;

  @BeforeEach
  void start() throws Exception {
    cluster = JarCluster.start(dir, 5, 3, "320m", List.of(
        "--initial-nodes=3", "--initial-ranges=" + RANGES, "--replication=3",
        // Shorter than the defaults so the test takes less time; the behaviour is the same.
        "--suspect-after=2s", "--down-after=5s", "--range-cooldown=2s"));
    pd = JarCluster.pd(cluster);
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private int admin(StringWriter out, String... args) {
    return new AdminCli(pd).run(out, args);
  }

  private JsonElement json(String... args) {
    return new AdminCli(pd).json(args);
  }

  /** Per UP node: replicas the table places on it and ranges it reports leading; null if unreadable. */
  private Map<String, int[]> load() {
    JsonElement nodes = json("nodes");
    if (nodes == null) {
      return null;
    }
    Map<String, int[]> load = new TreeMap<>();
    for (JsonElement n : nodes.getAsJsonArray()) {
      JsonObject o = n.getAsJsonObject();
      if (o.get("state").getAsString().equals("UP")) {
        load.put(o.get("id").getAsString(),
            new int[] {o.get("replicas_in_table").getAsInt(), o.get("leaders").getAsInt()});
      }
    }
    return load;
  }

  private static int spread(Map<String, int[]> load, int which) {
    return load.values().stream().mapToInt(v -> v[which]).max().orElse(0)
        - load.values().stream().mapToInt(v -> v[which]).min().orElse(0);
  }

  private JsonObject status() {
    JsonElement s = json("status");
    return s == null ? null : s.getAsJsonObject();
  }

  private boolean settled() {
    JsonObject s = status();
    return s != null && s.get("operators").getAsInt() == 0 && s.get("under_replicated").getAsInt() == 0;
  }

  private boolean anyRangeOn(String node) {
    JsonElement ranges = json("ranges");
    if (ranges == null) {
      return true;
    }
    for (JsonElement r : ranges.getAsJsonArray()) {
      for (JsonElement replica : r.getAsJsonObject().getAsJsonArray("replicas")) {
        if (replica.getAsJsonObject().get("node").getAsString().equals(node)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String show(Map<String, int[]> load) {
    StringBuilder out = new StringBuilder("node replicas leaders\n");
    load.forEach((node, v) -> out.append(String.format("%-4s %8d %7d%n", node, v[0], v[1])));
    return out.toString();
  }

  private static void audit(WriteAudit audit, RoutingClient client, String when) throws Exception {
    int lost = audit.lostWrites(key -> client.get(utf8(key)).map(v -> new String(v, StandardCharsets.UTF_8)));
    assertThat(lost).as("acknowledged writes lost " + when).isZero();
  }

  @Test
  void theClusterGrowsAndHealsTwiceWithoutLosingAcknowledgedWrites() throws Exception {
    try (RoutingClient client = RoutingClient.connect(List.of(pd), Duration.ofSeconds(10))) {
      WriteAudit audit = WriteAudit.start("ElasticityIT.grow", System.nanoTime(), 3, 1_000_000,
          (random, key, value) -> client.put(utf8(key), utf8(value)));
      audit.awaitMoreAcknowledged(200, Duration.ofSeconds(60), "before growing");
      System.out.printf("ElasticityIT: before growing%n%s", show(load()));

      // Grow 3 -> 5: the PD places replicas and leaders on the new nodes by itself.
      long grow = System.nanoTime();
      cluster.start(3);
      cluster.start(4);
      Await.until(Duration.ofSeconds(180), POLL, "replicas and leaders balanced over 5 nodes", () -> {
        Map<String, int[]> load = load();
        return load != null && load.size() == 5 && settled() && spread(load, 0) <= 1 && spread(load, 1) <= 1;
      });
      Map<String, int[]> grown = load();
      int movedReplicas = grown.get("n4")[0] + grown.get("n5")[0];
      System.out.printf("ElasticityIT: balanced over 5 nodes in %d ms; replicas moved %d, minimum %d%n%s",
          (System.nanoTime() - grow) / 1_000_000, movedReplicas, RANGES * 3 * 2 / 5, show(grown));
      audit.awaitMoreAcknowledged(100, Duration.ofSeconds(60), "after growing");
      audit.stop();
      audit(audit, client, "after growing");

      // kill -9 a node, then a second one: each time its replicas return to full replication on
      // the others, and no acknowledged write is lost (each range keeps a majority throughout).
      for (int victim : new int[] {1, 0}) {
        String node = "n" + (victim + 1);
        audit = WriteAudit.start("ElasticityIT.kill-" + node, System.nanoTime(), 3, 1_000_000,
            (random, key, value) -> client.put(utf8(key), utf8(value)));
        audit.awaitMoreAcknowledged(100, Duration.ofSeconds(60), "before killing " + node);
        cluster.process(victim).orElseThrow().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long killed = System.nanoTime();
        Await.until(Duration.ofSeconds(180), POLL, node + "'s replicas re-created elsewhere",
            () -> !anyRangeOn(node) && settled());
        System.out.printf("ElasticityIT: %s killed; fully replicated again after %d ms (DOWN after 5 s)%n%s", node,
            (System.nanoTime() - killed) / 1_000_000, show(load()));
        audit.awaitMoreAcknowledged(100, Duration.ofSeconds(60), "after healing");
        audit.stop();
        audit(audit, client, "after killing " + node);
      }
    }
  }

  @Test
  void aDrainedNodeIsEmptiedUnderWritesAndThenRemoved() throws Exception {
    cluster.start(3);
    try (RoutingClient client = RoutingClient.connect(List.of(pd), Duration.ofSeconds(10))) {
      Await.until(Duration.ofSeconds(180), POLL, "n4 got its share", () -> {
        Map<String, int[]> load = load();
        return load != null && load.size() == 4 && settled() && spread(load, 0) <= 1;
      });
      StringWriter refused = new StringWriter();
      assertThat(admin(refused, "remove", "n3")).isEqualTo(1);
      assertThat(refused.toString()).contains("still holds").contains("drain it first");
      WriteAudit audit = WriteAudit.start("ElasticityIT.drain", System.nanoTime(), 3, 1_000_000,
          (random, key, value) -> client.put(utf8(key), utf8(value)));
      audit.awaitMoreAcknowledged(100, Duration.ofSeconds(60), "before the drain");
      StringWriter drained = new StringWriter();
      long drain = System.nanoTime();
      assertThat(admin(drained, "drain", "n3", "--wait-max=3m")).as(drained.toString()).isZero();
      System.out.printf("ElasticityIT: drained n3 in %d ms:%n%s", (System.nanoTime() - drain) / 1_000_000, drained);
      assertThat(anyRangeOn("n3")).isFalse();
      StringWriter removed = new StringWriter();
      assertThat(admin(removed, "remove", "n3")).as(removed.toString()).isZero();
      audit.awaitMoreAcknowledged(100, Duration.ofSeconds(60), "after the drain");
      audit.stop();
      audit(audit, client, "after draining");
      Map<String, int[]> after = load();
      System.out.printf("ElasticityIT: after draining and removing n3%n%s", show(after));
      assertThat(after).doesNotContainKey("n3");
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
