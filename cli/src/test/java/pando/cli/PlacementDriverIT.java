package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.client.RoutingClient;
import pando.testing.Await;

/**
 * Node processes and a placement-driver process from the packaged jar: the nodes register and
 * heartbeat, and `pando admin nodes` reports a node killed with SIGKILL as DOWN within the
 * documented time (the PD's --down-after, 10 s by default, plus one heartbeat interval).
 */
class PlacementDriverIT {
  private static final Duration DOWN_AFTER = Duration.ofSeconds(10);
  private static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
  // Printing the table and process scheduling on a loaded machine.
  private static final Duration SLACK = Duration.ofSeconds(3);

  @TempDir Path dir;
  private LocalCluster cluster;
  private String pd;

  @BeforeEach
  void start() throws Exception {
    String jar = System.getProperty("pando.jar");
    assertThat(Path.of(jar)).as("the packaged jar").exists();
    LocalCluster.LocalPd placementDriver = LocalCluster.pdOnFreePorts(
        List.of("--initial-nodes=3", "--initial-ranges=3", "--replication=3"));
    pd = placementDriver.apiAddress();
    cluster = new LocalCluster(dir, LocalCluster.onFreePorts(3), List.of("--initial-ranges=3"), "384m", jar)
        .withPlacementDriver(placementDriver);
    cluster.startAll(LocalCluster.READY_TIMEOUT, i -> { });
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The JSON a `pando admin ... --json` command prints, or null if it failed. */
  private JsonArray admin(String command) {
    JsonElement answer = new AdminCli(pd).json(command);
    return answer == null ? null : answer.getAsJsonArray();
  }

  /** `pando admin nodes --json`, as node id to state; empty while the PD cannot answer. */
  private Map<String, String> states() {
    JsonArray nodes = admin("nodes");
    if (nodes == null) {
      return Map.of();
    }
    Map<String, String> states = new HashMap<>();
    for (JsonElement n : nodes) {
      states.put(n.getAsJsonObject().get("id").getAsString(), n.getAsJsonObject().get("state").getAsString());
    }
    return states;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void aNodeThatStopsHeartbeatingIsReportedDownWithinTheDocumentedTime() throws Exception {
    Await.until(Duration.ofSeconds(30), "every node registered and UP",
        () -> states().equals(Map.of("n1", "UP", "n2", "UP", "n3", "UP")));
    // The nodes took their ranges from the PD, and report which replica leads each.
    Await.until(Duration.ofSeconds(30), "every range listed with its leader", () -> {
      JsonArray ranges = admin("ranges");
      if (ranges == null || ranges.size() != 3) {
        return false;
      }
      for (JsonElement r : ranges) {
        if (r.getAsJsonObject().get("leader").getAsString().isEmpty()
            || r.getAsJsonObject().getAsJsonArray("replicas").size() != 3) {
          return false;
        }
      }
      return true;
    });

    // The routing client sends each key straight to its range's leader.
    long killed;
    try (RoutingClient client = RoutingClient.connect(List.of(pd), Duration.ofSeconds(10))) {
      for (int i = 0; i < 30; i++) {
        client.put(utf8("routed-" + i), utf8("v" + i));
      }
      cluster.process(1).orElseThrow().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      killed = System.nanoTime();
      // Some of those leaders were on n2: the client's cached leader hints are now wrong, and it is
      // corrected (unreachable node, then NOT_LEADER or a fresh table) without the caller noticing.
      for (int i = 0; i < 30; i++) {
        assertThat(client.get(utf8("routed-" + i)).map(PlacementDriverIT::text)).contains("v" + i);
        client.put(utf8("routed-" + i), utf8("w" + i));
      }
    }
    Duration left = DOWN_AFTER.plus(HEARTBEAT_INTERVAL).plus(SLACK).minus(Duration.ofNanos(System.nanoTime() - killed));
    Await.until(left.isNegative() ? Duration.ofMillis(1) : left, "n2 reported DOWN",
        () -> "DOWN".equals(states().get("n2")));
    Duration took = Duration.ofNanos(System.nanoTime() - killed);
    System.out.printf("PlacementDriverIT: n2 killed, reported DOWN after %d ms%n", took.toMillis());
    // Not long before the threshold: its last heartbeat left at most one interval (plus the time of
    // one heartbeat call, well under another interval) before the kill.
    assertThat(took).isGreaterThanOrEqualTo(DOWN_AFTER.minus(HEARTBEAT_INTERVAL.multipliedBy(2)));
    assertThat(states()).containsEntry("n1", "UP").containsEntry("n3", "UP");
  }
}
