package pando.maelstrom.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import pando.maelstrom.harness.Client;
import pando.maelstrom.harness.HistoryRecorder;
import pando.maelstrom.harness.Network;
import pando.maelstrom.harness.NodeProcess;
import pando.maelstrom.harness.ProcessEndpoint;
import pando.maelstrom.harness.ProcessIds;
import pando.maelstrom.protocol.Message;

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
  private void init(String node) throws Exception {
    CompletableFuture<Message> initOk = new CompletableFuture<>();
    Network.Endpoint harness = new Network.Endpoint() {
      @Override
      public boolean deliver(Message m) {
        initOk.complete(m);
        return true;
      }

      @Override
      public boolean isUp() {
        return true;
      }
    };
    network.register("c0", harness);
    try {
      JsonObject body = Message.newBody("init");
      body.addProperty("msg_id", 1);
      body.addProperty("node_id", node);
      JsonArray ids = new JsonArray();
      nodes.forEach(ids::add);
      body.add("node_ids", ids);
      network.send(new Message("c0", node, body));
      assertThat(initOk.get(INIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS).type())
          .as("reply to init of " + node).isEqualTo("init_ok");
    } finally {
      network.unregister("c0", harness);
    }
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
