package pando.maelstrom.harness;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import pando.maelstrom.protocol.Message;

/** Initialises a node as Maelstrom does: {@code init} with the node ids, then wait for {@code init_ok}. */
public final class NodeInit {
  private NodeInit() {}

  /**
   * Sends {@code init} from {@code harnessId} (registered on {@code network} for the duration) and
   * waits at most {@code timeout} for the reply to it. Callers initialising several nodes at once
   * must not share a harness id.
   *
   * @throws IllegalStateException if no reply came in time or the reply is not {@code init_ok}
   */
  public static void init(Network network, String harnessId, long msgId, String node,
      List<String> nodeIds, Duration timeout) throws InterruptedException {
    CompletableFuture<Message> reply = new CompletableFuture<>();
    Network.Endpoint harness = new Network.Endpoint() {
      @Override
      public boolean deliver(Message m) {
        if (m.inReplyTo().isPresent() && m.inReplyTo().getAsLong() == msgId) {
          reply.complete(m);
        }
        return true;
      }

      @Override
      public boolean isUp() {
        return true;
      }
    };
    network.register(harnessId, harness);
    try {
      JsonObject body = Message.newBody("init");
      body.addProperty("msg_id", msgId);
      body.addProperty("node_id", node);
      JsonArray all = new JsonArray();
      nodeIds.forEach(all::add);
      body.add("node_ids", all);
      network.send(new Message(harnessId, node, body));
      Message m;
      try {
        m = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new IllegalStateException("no init_ok from " + node + " within " + timeout.toSeconds() + " s");
      } catch (ExecutionException e) {
        throw new IllegalStateException("init of " + node + " failed", e.getCause());
      }
      if (!m.type().equals("init_ok")) {
        throw new IllegalStateException("init of " + node + " answered with " + m);
      }
    } finally {
      network.unregister(harnessId, harness);
    }
  }
}
