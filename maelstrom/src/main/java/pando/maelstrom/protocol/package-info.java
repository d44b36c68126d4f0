/**
 * The Maelstrom wire protocol for node binaries: {@link pando.maelstrom.protocol.Message} and its
 * one-line JSON form ({@link pando.maelstrom.protocol.MessageCodec}), the standard {@link
 * pando.maelstrom.protocol.ErrorCode}s, and {@link pando.maelstrom.protocol.NodeIo}, the runtime
 * that reads stdin, dispatches to handlers and writes stdout.
 */
package pando.maelstrom.protocol;
