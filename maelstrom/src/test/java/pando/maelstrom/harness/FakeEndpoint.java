package pando.maelstrom.harness;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import pando.maelstrom.protocol.Message;

/** A network endpoint that records what it is given and can be switched down. */
final class FakeEndpoint implements Network.Endpoint {
  final List<Message> received = new CopyOnWriteArrayList<>();
  volatile boolean up = true;
  volatile boolean accept = true;

  @Override
  public boolean deliver(Message m) {
    if (accept) {
      received.add(m);
    }
    return accept;
  }

  @Override
  public boolean isUp() {
    return up;
  }
}
