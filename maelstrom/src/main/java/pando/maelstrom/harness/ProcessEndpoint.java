package pando.maelstrom.harness;

import java.util.Objects;
import pando.maelstrom.protocol.Message;
import pando.maelstrom.protocol.MessageCodec;

/**
 * Connects a {@link NodeProcess} to a {@link Network}: messages for the node are written to its
 * stdin, and it is up exactly while its process runs unpaused. The other direction is wired when
 * the process is created, by giving it {@code line -> network.receiveLine(nodeId, line)} as its
 * stdout callback.
 */
public final class ProcessEndpoint implements Network.Endpoint {
  private final NodeProcess process;

  public ProcessEndpoint(NodeProcess process) {
    this.process = Objects.requireNonNull(process, "process");
  }

  @Override
  public boolean deliver(Message m) {
    return process.send(MessageCodec.serialize(m));
  }

  @Override
  public boolean isUp() {
    return process.isRunning();
  }
}
