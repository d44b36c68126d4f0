package pando.maelstrom.protocol;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A {@link NodeIo} wired to the test through pipes: the test plays Maelstrom. */
final class PipedNode implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(5);

  final NodeIo io;
  private final PipedOutputStream toNode;
  private final BlockingQueue<Message> fromNode = new LinkedBlockingQueue<>();
  private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
  private final Thread collector;

  PipedNode(NodeIo.Config config, Consumer<NodeIo> setup) throws IOException {
    PipedInputStream nodeIn = new PipedInputStream(1 << 16);
    toNode = new PipedOutputStream(nodeIn);
    PipedInputStream testIn = new PipedInputStream(1 << 16);
    PipedOutputStream nodeOut = new PipedOutputStream(testIn);
    io = new NodeIo(nodeIn, nodeOut, new PrintStream(logBytes, true, StandardCharsets.UTF_8),
        config);
    setup.accept(io);
    collector = new Thread(() -> collect(testIn), "test-collector");
    collector.setDaemon(true);
    collector.start();
    io.start();
  }

  PipedNode(Consumer<NodeIo> setup) throws IOException {
    this(NodeIo.Config.defaults(), setup);
  }

  private void collect(PipedInputStream in) {
    try (LineReader lines = new LineReader(in, 1 << 20)) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        fromNode.add(MessageCodec.parse(line));
      }
    } catch (IOException e) {
      // the node closed its output
    }
  }

  /** Writes one line to the node's stdin. */
  void send(String line) throws IOException {
    toNode.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    toNode.flush();
  }

  /** Sends init and consumes the init_ok. */
  PipedNode init(String nodeId, String... all) throws Exception {
    send("{\"src\":\"c0\",\"dest\":\"" + nodeId + "\",\"body\":{\"type\":\"init\",\"msg_id\":1,"
        + "\"node_id\":\"" + nodeId + "\",\"node_ids\":[\"" + String.join("\",\"", all)
        + "\"]}}");
    Message ok = next();
    if (!ok.type().equals("init_ok")) {
      fail("expected init_ok, got " + ok);
    }
    return this;
  }

  /** The next message the node wrote, waiting at most {@link #WAIT}. */
  Message next() throws InterruptedException {
    Message m = fromNode.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    if (m == null) {
      fail("the node wrote nothing within " + WAIT);
    }
    return m;
  }

  /** Ends the node's input. */
  void endInput() throws IOException {
    toNode.close();
  }

  String log() {
    return logBytes.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    toNode.close();
    io.close();
    try {
      collector.join(WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
