package pando.raft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import pando.raft.RangeGroups.Peer;
import pando.api.LoopbackPorts;

class RangeClientTest {

  @Test
  void refusesWritesBeyondItsInFlightBoundWithoutWaiting() throws Exception {
    RaftProperties properties = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS));
    // Nobody listens on the range's only replica, so a write stays outstanding while Ratis retries.
    var group = RangeGroups.group(7, List.of(new Peer("n1", "127.0.0.1:" + LoopbackPorts.next())));
    try (RangeClient client = new RangeClient(7, properties, group, 1)) {
      CompletableFuture<RaftClientReply> first = client.write(Message.valueOf("a"));
      CompletableFuture<RaftClientReply> second = client.write(Message.valueOf("b"));

      assertTrue(second.isCompletedExceptionally(), "the second write must be refused at once, not queued");
      ExecutionException refused = assertThrows(ExecutionException.class, second::get);
      assertInstanceOf(RangeBusyException.class, refused.getCause());
      assertTrue(refused.getCause().getMessage().contains("range 7"), refused.getCause().getMessage());

      // Once the first write gives up, its slot is free again.
      assertThrows(ExecutionException.class, () -> first.get(60, TimeUnit.SECONDS));
      CompletableFuture<RaftClientReply> third = client.write(Message.valueOf("c"));
      Throwable refusal = third.handle((reply, error) -> error).getNow(null);
      assertFalse(refusal instanceof RangeBusyException, "a freed slot must take a new write");
    }
  }
}
