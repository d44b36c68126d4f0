package pando.maelstrom.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import pando.maelstrom.harness.Client;
import pando.maelstrom.harness.HistoryRecorder;
import pando.maelstrom.harness.Network;
import pando.maelstrom.harness.NodeInit;
import pando.maelstrom.harness.NodeProcess;
import pando.maelstrom.harness.ProcessEndpoint;
import pando.maelstrom.harness.ProcessIds;

/**
 * {@link LinKvNode} processes wired through a harness {@link Network}, initialised as Maelstrom
 * does. Closing kills every process, then closes the network.
 */
final class LinKvCluster implements AutoCloseable {
  static final Duration INIT_TIMEOUT = Duration.ofSeconds(30);

  final Network network = new Network(Network.Config.defaults(7), new Network.Observer() {});
  final List<String> nodes;
  private final List<NodeProcess> processes = new ArrayList<>();

  LinKvCluster(Path dir, List<String> nodes, List<String> extraArgs) throws Exception {
    this.nodes = List.copyOf(nodes);
    try {
      for (String id : nodes) {
        List<String> command = new ArrayList<>(command());
        command.addAll(List.of("--data-dir", dir.resolve("data").toString()));
        command.addAll(extraArgs);
        NodeProcess p = new NodeProcess(id, command, dir.resolve(id + ".log"),
            line -> network.receiveLine(id, line));
        processes.add(p);
        network.register(id, new ProcessEndpoint(p));
      }
      network.start();
      for (NodeProcess p : processes) {
        p.start();
      }
      for (String id : nodes) {
        init(id);
      }
    } catch (Exception | AssertionError e) {
      close();
      throw e;
    }
  }

  /** A fresh JVM running LinKvNode on the test class path; small heap, quick start. */
  private static List<String> command() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String surefire = System.getProperty("surefire.test.class.path");
    String cp = surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    return List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Xmx256m", "-XX:-UsePerfData", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", cp, LinKvNode.class.getName());
  }

  /** Sends init as Maelstrom does and waits for init_ok. */
  private void init(String node) throws InterruptedException {
    NodeInit.init(network, "c0", 1, node, nodes, INIT_TIMEOUT);
  }

  /**
   * Writes through {@code node} until a write succeeds (a leader exists and commits), recording
   * the attempts in {@code history} because they change the state the checker must explain.
   */
  void awaitWritable(String node, HistoryRecorder history, ProcessIds ids, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Client client = new Client(network, history, ids, Duration.ofSeconds(5))) {
      while (true) { // bounded by the deadline; each attempt by the client's timeout
        Client.Completion c = client.write(node, 0, 0);
        if (c.event().type() == pando.maelstrom.check.Event.Type.OK) {
          return;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("no write succeeded within " + timeout + ": " + c.detail());
        }
      }
    }
  }

  @Override
  public void close() {
    for (NodeProcess p : processes) {
      p.close();
    }
    network.close();
  }
}
