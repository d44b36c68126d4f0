package pando.maelstrom.harness;

import pando.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.maelstrom.check.Event;
import pando.maelstrom.check.LinearizabilityChecker;
import pando.maelstrom.check.Result;
import pando.maelstrom.check.Verdict;

/**
 * The pieces together: a {@link KvNode} process on {@link pando.maelstrom.protocol.NodeIo}, routed
 * by the network, driven by concurrent clients through a pause, and checked.
 */
class HarnessEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void clientsAgainstARealNodeProcessThroughAPauseGiveALinearizableHistory() throws Exception {
    HistoryRecorder history = new HistoryRecorder(10_000);
    ProcessIds processes = new ProcessIds();
    Workload workload = new Workload(5, 3, Workload.Mix.defaults());
    try (Network network = new Network(Network.Config.defaults(5), new Network.Observer() {});
        NodeProcess n1 = new NodeProcess("n1", JavaCommand.forMain(KvNode.class),
            dir.resolve("n1.log"), line -> network.receiveLine("n1", line))) {
      network.register("n1", new ProcessEndpoint(n1));
      network.start();
      n1.start();
      init(network, "n1");

      // One thread per client: they block on replies, which a shared pool would serialise.
      ExecutorService threads = Executors.newFixedThreadPool(3);
      try {
        List<Client> clients = new ArrayList<>();
        List<Future<?>> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          Client client = new Client(network, history, processes, Duration.ofMillis(300));
          clients.add(client);
          workers.add(threads.submit(() -> {
            for (int op = 0; op < 60; op++) {
              client.invoke("n1", workload.next());
            }
            return null;
          }));
        }
        Await.until(WAIT, "some operations", () -> history.events().size() >= 60);
        n1.pause();
        Await.until(WAIT, "an operation lost to the pause",
            () -> history.events().stream().anyMatch(e -> e.type() == Event.Type.INFO));
        n1.resume();
        for (Future<?> worker : workers) {
          worker.get(WAIT.toSeconds() * 3, TimeUnit.SECONDS);
        }
        clients.forEach(Client::close);
      } finally {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      }

      List<Event> events = history.events();
      Result result = new LinearizabilityChecker().check(history.history(), Duration.ofSeconds(5));
      assertThat(result.verdict()).as(result.describe()).isEqualTo(Verdict.VALID);
      assertThat(events.stream().filter(e -> e.type() == Event.Type.INVOKE)).hasSize(180);
      assertThat(events.stream().filter(e -> e.type() == Event.Type.OK)).hasSizeGreaterThan(60);
      assertThat(processes.next()).as("crashed processes were replaced").isGreaterThan(4);
    }
  }

  /** Sends init as Maelstrom does and waits for init_ok. */
  private static void init(Network network, String node) throws InterruptedException {
    NodeInit.init(network, "c0", 1, node, List.of(node), WAIT);
  }
}
