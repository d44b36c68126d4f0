package pando.maelstrom.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pando.maelstrom.protocol.LineReader;
import pando.maelstrom.protocol.Message;
import pando.maelstrom.protocol.MessageCodec;
import pando.maelstrom.protocol.NodeIo;
import pando.maelstrom.transport.Envelope;
import pando.maelstrom.transport.MessageBus;

/** {@link MaelstromBus} on a {@link NodeIo} whose stdin and stdout are pipes the test plays. */
class MaelstromBusTest {
  private static final long WAIT_MS = 5_000;

  private PipedOutputStream toNode;
  private final BlockingQueue<Message> fromNode = new LinkedBlockingQueue<>();
  private NodeIo io;
  private MaelstromBus bus;
  private final BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void start() throws Exception {
    PipedInputStream nodeIn = new PipedInputStream(1 << 16);
    toNode = new PipedOutputStream(nodeIn);
    PipedInputStream testIn = new PipedInputStream(1 << 16);
    io = new NodeIo(nodeIn, new PipedOutputStream(testIn),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        NodeIo.Config.defaults());
    bus = new MaelstromBus(io);
    Thread collector = new Thread(() -> collect(testIn), "test-collector");
    collector.setDaemon(true);
    collector.start();
    io.start();
    send("{\"src\":\"c0\",\"dest\":\"n1\",\"body\":{\"type\":\"init\",\"msg_id\":1,"
        + "\"node_id\":\"n1\",\"node_ids\":[\"n1\",\"n2\"]}}");
    assertThat(next().type()).isEqualTo("init_ok");
  }

  @AfterEach
  void stop() {
    bus.close();
    io.close();
  }

  @Test
  void sentPayloadsBecomeBase64RaftMessages() throws Exception {
    MessageBus.Port port = bus.attach("n1", received::add);
    port.send("n2", new byte[] {1, 2, 3, (byte) 0xff});
    Message m = next();
    assertThat(m.src()).isEqualTo("n1");
    assertThat(m.dest()).isEqualTo("n2");
    assertThat(m.type()).isEqualTo("raft");
    assertThat(Base64.getDecoder().decode(m.requireString("payload")))
        .containsExactly(1, 2, 3, 0xff);
  }

  @Test
  void receivedRaftMessagesReachTheReceiverAndAreNotAnswered() throws Exception {
    bus.attach("n1", received::add);
    send("{\"src\":\"n2\",\"dest\":\"n1\",\"body\":{\"type\":\"raft\",\"msg_id\":7,\"payload\":\""
        + Base64.getEncoder().encodeToString(new byte[] {9, 8}) + "\"}}");
    Envelope e = received.poll(WAIT_MS, TimeUnit.MILLISECONDS);
    assertThat(e).isEqualTo(new Envelope("n2", "n1", new byte[] {9, 8}));
    // A corrupt one is dropped, silently: the transport's deadlines cover lost messages.
    send("{\"src\":\"n2\",\"dest\":\"n1\",\"body\":{\"type\":\"raft\",\"msg_id\":8,\"payload\":\"%%\"}}");
    send("{\"src\":\"n2\",\"dest\":\"n1\",\"body\":{\"type\":\"raft\",\"msg_id\":9,\"payload\":\""
        + Base64.getEncoder().encodeToString(new byte[] {1}) + "\"}}");
    assertThat(received.poll(WAIT_MS, TimeUnit.MILLISECONDS).payload()).containsExactly(1);
    assertThat(fromNode).isEmpty();
  }

  @Test
  void messagesToItselfAreDeliveredLocally() throws Exception {
    MessageBus.Port port = bus.attach("n1", received::add);
    port.send("n1", new byte[] {5});
    assertThat(received.poll(WAIT_MS, TimeUnit.MILLISECONDS))
        .isEqualTo(new Envelope("n1", "n1", new byte[] {5}));
    assertThat(fromNode).isEmpty();
  }

  @Test
  void onlyOneNodeAttachesAndAClosedPortSendsNothing() throws Exception {
    MessageBus.Port port = bus.attach("n1", received::add);
    assertThatThrownBy(() -> bus.attach("n1", received::add)).isInstanceOf(IllegalStateException.class);
    port.close();
    port.send("n2", new byte[] {1});
    MessageBus.Port again = bus.attach("n1", received::add);
    again.send("n2", new byte[] {2});
    assertThat(Base64.getDecoder().decode(next().requireString("payload"))).containsExactly(2);
  }

  private void send(String line) throws IOException {
    toNode.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    toNode.flush();
  }

  private Message next() throws InterruptedException {
    Message m = fromNode.poll(WAIT_MS, TimeUnit.MILLISECONDS);
    assertThat(m).as("a message from the node within " + WAIT_MS + " ms").isNotNull();
    return m;
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
}
