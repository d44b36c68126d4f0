/**
 * A Ratis RPC transport over an abstract message bus, so that Raft traffic between nodes can be
 * dropped, delayed and partitioned by a test harness (Maelstrom) while the Ratis server and the
 * state machine run unchanged.
 *
 * <p>Layers, from the wire up:
 *
 * <ul>
 *   <li>{@link pando.maelstrom.transport.MessageBus}: the harness-facing edge, best-effort delivery
 *       of opaque payloads between node ids; {@link pando.maelstrom.transport.LocalBus} is the
 *       in-memory implementation with switchable partitions and delay.
 *   <li>{@link pando.maelstrom.transport.BusEndpoint}: one per node; request/reply calls over the
 *       bus with request ids, bounded pending calls and deadlines.
 *   <li>{@link pando.maelstrom.transport.BusRpcType}: the Ratis plug-in; a node's {@code
 *       RaftServer} and {@code RaftClient}s reach each other through its endpoint.
 * </ul>
 */
package pando.maelstrom.transport;
