package pando.maelstrom.transport;

import java.util.function.Consumer;

/**
 * A network between named nodes that carries opaque payloads, as a test harness sees it.
 *
 * <p>Delivery is best effort, like a datagram network under fault injection: a message may be
 * dropped, delayed or reordered, and {@link Port#send} never reports whether it arrived. Layers
 * above must turn silence into timeouts. In production the Maelstrom node implements this by
 * putting base64 payloads into JSON messages on stdout and handing those read from stdin to the
 * receiver; {@link LocalBus} implements it in memory for tests.
 */
public interface MessageBus {
  /**
   * Attaches node {@code nodeId} to the bus: messages addressed to it are handed to {@code
   * receiver}, and messages sent through the returned port carry it as their source.
   *
   * <p>The receiver is called on a thread of the bus and must not block: it should hand the
   * message over and return, otherwise it stalls delivery to others.
   *
   * @throws IllegalStateException if the node is already attached or the bus is closed
   */
  Port attach(String nodeId, Consumer<Envelope> receiver);

  /** A node's attachment to the bus. Closing it detaches the node; later messages to it are dropped. */
  interface Port extends AutoCloseable {
    String nodeId();

    /**
     * Sends {@code payload} to {@code destNodeId}, without blocking and without telling whether it
     * will arrive. Messages to unknown nodes, from a closed port or on a closed bus are dropped.
     * The bus owns the array afterwards.
     */
    void send(String destNodeId, byte[] payload);

    @Override
    void close();
  }
}
