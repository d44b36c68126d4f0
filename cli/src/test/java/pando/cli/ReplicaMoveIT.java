package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.client.RoutingClient;
import pando.testing.Await;
import pando.testing.WriteAudit;

/**
 * A placement driver and node processes from the packaged jar; a fourth node joins after the
 * cluster was bootstrapped on three, and `pando admin move` moves replicas onto it while clients
 * write. The new node creates the replicas the PD places on it, the old node deletes the ones it
 * no longer holds, and every acknowledged write is readable afterwards.
 */
class ReplicaMoveIT {
  @TempDir Path dir;
  private LocalCluster cluster;
  private String pd;

  @BeforeEach
  void start() throws Exception {
    // Only the moves this test asks for: no automatic balancing onto the new node.
    cluster = JarCluster.start(dir, 4, 3, "384m",
        List.of("--initial-nodes=3", "--initial-ranges=3", "--replication=3", "--no-schedule"));
    pd = JarCluster.pd(cluster);
    // Registered after the bootstrap: it holds nothing until the PD places replicas on it.
    cluster.start(3);
    cluster.awaitReady(3, LocalCluster.READY_TIMEOUT);
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

  private JsonArray ranges() {
    JsonElement ranges = new AdminCli(pd).json("ranges");
    return ranges == null ? null : ranges.getAsJsonArray();
  }

  private JsonObject range(long id) {
    JsonObject[] found = new JsonObject[1];
    Await.until(Duration.ofSeconds(10), "range " + id + " from the PD", () -> {
      StringWriter out = new StringWriter();
      if (admin(out, "range", String.valueOf(id), "--json") != 0) {
        return false;
      }
      found[0] = JsonParser.parseString(out.toString()).getAsJsonObject();
      return true;
    });
    return found[0];
  }

  private static List<String> replicas(JsonObject range) {
    List<String> out = new ArrayList<>();
    range.getAsJsonArray("replicas").forEach(r -> out.add(r.getAsJsonObject().get("node").getAsString()));
    return out;
  }

  private boolean holdsGroup(String node, long rangeId) {
    Path raft = dir.resolve(node).resolve("raft");
    String suffix = String.format("%012x", rangeId);
    if (!Files.isDirectory(raft)) {
      return false;
    }
    try (var groups = Files.list(raft)) {
      return groups.anyMatch(p -> p.getFileName().toString().endsWith(suffix));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void movedReplicasKeepEveryAcknowledgedWrite() throws Exception {
    Await.until(Duration.ofSeconds(30), "every range with a leader", () -> {
      JsonArray ranges = ranges();
      return ranges != null && ranges.size() == 3
          && java.util.stream.StreamSupport.stream(ranges.spliterator(), false)
              .allMatch(r -> !r.getAsJsonObject().get("leader").getAsString().isEmpty());
    });
    try (RoutingClient client = RoutingClient.connect(List.of(pd), Duration.ofSeconds(10));
        WriteAudit audit = WriteAudit.start("ReplicaMoveIT", System.nanoTime(), 4, 1_000_000,
            (random, key, value) -> client.put(utf8(key), utf8(value)))) {
      audit.awaitMoreAcknowledged(200, Duration.ofSeconds(60), "before the moves");
      // Move one range whose leader is the source (leadership must move first) and one whose
      // leader is not, both onto the new node n4, while the writers keep writing.
      for (long rangeId : new long[] {1, 2}) {
        JsonObject before = range(rangeId);
        String from = before.get("leader").getAsString();
        if (rangeId == 2) {
          String leader = from;
          from = replicas(before).stream().filter(r -> !r.equals(leader)).findFirst().orElseThrow();
        }
        StringWriter out = new StringWriter();
        long started = System.nanoTime();
        int code = admin(out, "move", String.valueOf(rangeId), "--from=" + from, "--to=n4", "--wait-max=3m");
        System.out.printf("ReplicaMoveIT: range %d %s -> n4 took %d ms:%n%s", rangeId, from,
            (System.nanoTime() - started) / 1_000_000, out);
        assertThat(code).as(out.toString()).isZero();
        JsonObject after = range(rangeId);
        assertThat(replicas(after)).contains("n4").doesNotContain(from).hasSize(3);
        String source = from;
        Await.until(Duration.ofSeconds(30), source + " deleted its replica of range " + rangeId,
            () -> !holdsGroup(source, rangeId));
        assertThat(holdsGroup("n4", rangeId)).isTrue();
        audit.awaitMoreAcknowledged(100, Duration.ofSeconds(60), "after moving range " + rangeId);
      }
      audit.stop();
      assertThat(audit.lostWrites(key -> client.get(utf8(key)).map(v -> new String(v, StandardCharsets.UTF_8))))
          .as("acknowledged writes lost").isZero();
      // n4's replicas hold the data: its report of range 1 counts keys.
      Await.until(Duration.ofSeconds(30), "n4 reports keys in range 1", () -> {
        StringWriter out = new StringWriter();
        if (admin(out, "range", "1", "--json") != 0) {
          return false;
        }
        for (JsonElement r : JsonParser.parseString(out.toString()).getAsJsonObject().getAsJsonArray("replicas")) {
          JsonObject replica = r.getAsJsonObject();
          if (replica.get("node").getAsString().equals("n4") && replica.get("keys").getAsLong() > 0) {
            return true;
          }
        }
        return false;
      });
    }
    StringWriter out = new StringWriter();
    assertThat(admin(out, "operators")).isZero();
    assertThat(out.toString()).contains("no operators running");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

}
