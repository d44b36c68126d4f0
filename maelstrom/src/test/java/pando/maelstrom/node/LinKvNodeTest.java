package pando.maelstrom.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.maelstrom.check.Event;
import pando.maelstrom.check.Kind;
import pando.maelstrom.check.LinearizabilityChecker;
import pando.maelstrom.check.Result;
import pando.maelstrom.check.Verdict;
import pando.maelstrom.harness.Client;
import pando.maelstrom.harness.HistoryRecorder;
import pando.maelstrom.harness.Network;
import pando.maelstrom.harness.ProcessIds;
import pando.maelstrom.harness.Workload;

/**
 * Three {@link LinKvNode} processes under concurrent lin-kv clients; the recorded histories must
 * be linearizable.
 */
class LinKvNodeTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3");
  // Longer than the node's 2 s deadline, so a slow request is answered by the node, not lost.
  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration RUN = Duration.ofSeconds(10);
  private static final Duration FIRST_WRITE = Duration.ofSeconds(60);
  private static final int CLIENTS = 3;

  @TempDir Path dir;

  @Test
  void clientsAgainstThreeNodesGiveALinearizableHistory() throws Exception {
    HistoryRecorder history = new HistoryRecorder(20_000);
    try (LinKvCluster cluster = new LinKvCluster(dir, NODES, List.of())) {
      ProcessIds ids = new ProcessIds();
      cluster.awaitWritable("n1", history, ids, FIRST_WRITE);
      runClients(cluster, history, ids, RUN, () -> {});
    }
    assertLinearizable(history);
  }

  // Found a stale read once in CI (see docs/testing.md); runs with -Pmaelstrom-seeded until explained.
  @Test
    void aPartitionedNodeAndHealingKeepTheHistoryLinearizable() throws Exception {
    HistoryRecorder history = new HistoryRecorder(20_000);
    try (LinKvCluster cluster = new LinKvCluster(dir, NODES, List.of())) {
      ProcessIds ids = new ProcessIds();
      cluster.awaitWritable("n1", history, ids, FIRST_WRITE);
      // Cut one node from the majority for the middle of the run, then heal.
      runClients(cluster, history, ids, RUN, () -> {
        cluster.network.partition(Set.of("n1"), Set.of("n2", "n3"));
      });
      cluster.network.heal();
      assertThat(cluster.network.stats().dropped().getOrDefault(Network.DropReason.PARTITIONED, 0L))
          .as("messages cut by the partition").isPositive();
    }
    assertLinearizable(history);
  }

  @Test
  void unsafeLocalReadsModeServesReadsAndSaysItIsUnsafe() throws Exception {
    HistoryRecorder history = new HistoryRecorder(20_000);
    try (LinKvCluster cluster = new LinKvCluster(dir, NODES, List.of("--unsafe-local-reads"))) {
      ProcessIds ids = new ProcessIds();
      cluster.awaitWritable("n1", history, ids, FIRST_WRITE);
      runClients(cluster, history, ids, Duration.ofSeconds(3), () -> {});
    }
    assertThat(history.events()).anyMatch(e -> e.type() == Event.Type.OK && e.f() == Kind.READ);
    for (String node : NODES) {
      assertThat(Files.readString(dir.resolve(node + ".log"))).contains("UNSAFE");
    }
  }

  /**
   * Runs {@value #CLIENTS} clients for {@code duration}; {@code midway} runs once a third of the
   * way in and the network is healed two thirds of the way in.
   */
  private static void runClients(LinKvCluster cluster, HistoryRecorder history, ProcessIds ids,
      Duration duration, Runnable midway) throws Exception {
    Workload workload = new Workload(11, 3, Workload.Mix.defaults());
    long end = System.nanoTime() + duration.toNanos();
    // One thread per client: they block on replies, which a shared pool would serialise.
    ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        workers.add(threads.submit(() -> {
          try (Client client = new Client(cluster.network, history, ids, CLIENT_TIMEOUT)) {
            while (System.nanoTime() - end < 0) { // bounded by the run's end
              String node = cluster.nodes.get(ThreadLocalRandom.current().nextInt(cluster.nodes.size()));
              client.invoke(node, workload.next());
            }
          }
          return null;
        }));
      }
      long third = duration.toMillis() / 3;
      // A timed wait on the workers, not a sleep: it returns early if they fail.
      awaitQuietly(workers.get(0), third);
      midway.run();
      awaitQuietly(workers.get(0), third);
      cluster.network.heal();
      for (Future<?> worker : workers) {
        worker.get(duration.toMillis() + 2 * CLIENT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      threads.shutdownNow();
      assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static void awaitQuietly(Future<?> f, long millis) throws Exception {
    try {
      f.get(millis, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException expected) {
      // still running: the usual case
    }
  }

  private static void assertLinearizable(HistoryRecorder history) {
    List<Event> events = history.events();
    long ok = events.stream().filter(e -> e.type() == Event.Type.OK).count();
    long info = events.stream().filter(e -> e.type() == Event.Type.INFO).count();
    long fail = events.stream().filter(e -> e.type() == Event.Type.FAIL).count();
    System.out.printf("lin-kv history: %d events, %d ok, %d fail, %d info%n",
        events.size(), ok, fail, info);
    Result result = new LinearizabilityChecker().check(history.history(), Duration.ofSeconds(60));
    assertThat(result.verdict()).as(result.describe()).isEqualTo(Verdict.VALID);
    assertThat(ok).as("ok operations").isGreaterThan(20);
  }
}
