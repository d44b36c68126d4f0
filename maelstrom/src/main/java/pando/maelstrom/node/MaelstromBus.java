package pando.maelstrom.node;

import com.google.gson.JsonObject;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import pando.maelstrom.protocol.Message;
import pando.maelstrom.protocol.NodeIo;
import pando.maelstrom.transport.Envelope;
import pando.maelstrom.transport.MessageBus;

/**
 * The {@link MessageBus} of a Maelstrom node: transport payloads travel as Maelstrom messages
 * {@code {"type":"raft","payload":"<base64>"}} through the node's stdout and stdin, so Maelstrom
 * (or the test harness) can drop, delay and partition Raft traffic like any other message.
 *
 * <p>Messages a node sends to itself are handed straight to its receiver (loopback) instead of
 * travelling through Maelstrom. Only this process's own node can attach, once. Sending is fire-and-forget: the transport
 * above ({@link pando.maelstrom.transport.BusEndpoint}) pairs replies with requests and turns
 * silence into timeouts, so a dropped message here is just a lost datagram.
 */
public final class MaelstromBus implements MessageBus {
  /** The body type of transport messages. */
  public static final String TYPE = "raft";

  private final NodeIo io;
  private final AtomicReference<Attachment> attached = new AtomicReference<>();
  private volatile boolean closed;

  /** A bus on {@code io}; registers the {@value #TYPE} handler, so build it before {@code io.start()}. */
  public MaelstromBus(NodeIo io) {
    this.io = Objects.requireNonNull(io, "io");
    io.on(TYPE, this::receive);
  }

  @Override
  public Port attach(String nodeId, Consumer<Envelope> receiver) {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(receiver, "receiver");
    if (closed) {
      throw new IllegalStateException("the bus is closed");
    }
    Attachment a = new Attachment(nodeId, receiver);
    if (!attached.compareAndSet(null, a)) {
      throw new IllegalStateException("a node is already attached: " + attached.get().nodeId);
    }
    return a;
  }

  /** Detaches the node; later messages are dropped both ways. */
  public void close() {
    closed = true;
    attached.set(null);
  }

  /** The body of one transport message. */
  static JsonObject body(byte[] payload) {
    JsonObject body = Message.newBody(TYPE);
    body.addProperty("payload", Base64.getEncoder().encodeToString(payload));
    return body;
  }

  /** Runs on a NodeIo handler thread; the receiver only queues the envelope, so this is quick. */
  private void receive(Message m) {
    Attachment a = attached.get();
    if (a == null || !a.open) {
      return; // not attached (yet or any more): a lost message, which the sender's deadline covers
    }
    byte[] payload;
    try {
      payload = Base64.getDecoder().decode(m.requireString("payload"));
    } catch (RuntimeException e) {
      // Corrupt or without payload: treat as lost. Not thrown, since NodeIo would answer it with
      // an error that the peer's transport cannot use.
      return;
    }
    a.receiver.accept(new Envelope(m.src(), a.nodeId, payload));
  }

  private final class Attachment implements Port {
    final String nodeId;
    final Consumer<Envelope> receiver;
    volatile boolean open = true;

    Attachment(String nodeId, Consumer<Envelope> receiver) {
      this.nodeId = nodeId;
      this.receiver = receiver;
    }

    @Override
    public String nodeId() {
      return nodeId;
    }

    @Override
    public void send(String destNodeId, byte[] payload) {
      if (!open || closed) {
        return;
      }
      if (destNodeId.equals(nodeId)) {
        // The node's Raft client calling its own server: loopback, like a real network stack.
        // Maelstrom need not route a node's messages to itself, and no partition cuts a node
        // from itself. The receiver only queues the envelope, so calling it here cannot block.
        receiver.accept(new Envelope(nodeId, nodeId, payload));
        return;
      }
      try {
        io.send(destNodeId, body(payload)); // false (queue full) is a lost message, by contract
      } catch (IllegalStateException notInitialised) {
        // Before init there is no source id to send with; the transport will time out and retry.
      }
    }

    @Override
    public void close() {
      open = false;
      attached.compareAndSet(this, null);
    }
  }
}
