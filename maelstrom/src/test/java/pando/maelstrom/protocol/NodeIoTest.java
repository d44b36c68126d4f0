package pando.maelstrom.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class NodeIoTest {

  private static String request(String type, long msgId, String extra) {
    return "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"" + type + "\",\"msg_id\":" + msgId
        + extra + "}}";
  }

  @Test
  void initIsAnsweredAfterListenersRanAndSetsTheIds() throws Exception {
    List<String> seenByListener = new ArrayList<>();
    try (PipedNode node = new PipedNode(io -> io.onInit(init -> seenByListener.add(
        init.nodeId() + " " + init.nodeIds() + " " + io.nodeId())))) {
      node.send("{\"src\":\"c0\",\"dest\":\"n2\",\"body\":{\"type\":\"init\",\"msg_id\":7,"
          + "\"node_id\":\"n2\",\"node_ids\":[\"n1\",\"n2\",\"n3\"]}}");

      Message ok = node.next();

      assertThat(ok.type()).isEqualTo("init_ok");
      assertThat(ok.src()).isEqualTo("n2");
      assertThat(ok.dest()).isEqualTo("c0");
      assertThat(ok.inReplyTo()).hasValue(7);
      assertThat(ok.msgId()).isPresent();
      assertThat(seenByListener).containsExactly("n2 [n1, n2, n3] n2");
      assertThat(node.io.nodeIds()).containsExactly("n1", "n2", "n3");
    }
  }

  @Test
  void requestsBeforeInitAreRefusedAsTemporarilyUnavailable() throws Exception {
    try (PipedNode node = new PipedNode(io -> io.on("read", r -> {}))) {
      node.send(request("read", 3, ",\"key\":1"));

      Message error = node.next();

      assertThat(error.errorCode()).hasValue(ErrorCode.TEMPORARILY_UNAVAILABLE.code());
      assertThat(error.inReplyTo()).hasValue(3);
      assertThat(error.src()).isEqualTo("n1"); // known from dest, even before init
    }
  }

  @Test
  void repliesCarryInReplyToAndFreshIncreasingMsgIds() throws Exception {
    try (PipedNode node = new PipedNode(io -> io.on("echo", r -> {
      JsonObject body = Message.newBody("echo_ok");
      body.add("echo", r.get("echo"));
      io.reply(r, body);
    })).init("n1", "n1")) {
      node.send(request("echo", 10, ",\"echo\":\"hi\""));
      Message first = node.next();
      node.send(request("echo", 10, ",\"echo\":\"again\""));
      Message second = node.next();

      assertThat(first.type()).isEqualTo("echo_ok");
      assertThat(first.src()).isEqualTo("n1");
      assertThat(first.dest()).isEqualTo("c1");
      assertThat(first.inReplyTo()).hasValue(10);
      assertThat(first.requireString("echo")).isEqualTo("hi");
      assertThat(second.inReplyTo()).hasValue(10);
      assertThat(second.msgId().getAsLong()).isGreaterThan(first.msgId().getAsLong());
    }
  }

  @Test
  void unknownTypesGetNotSupported() throws Exception {
    try (PipedNode node = new PipedNode(io -> {}).init("n1", "n1")) {
      node.send(request("txn", 5, ""));

      Message error = node.next();

      assertThat(error.type()).isEqualTo("error");
      assertThat(error.errorCode()).hasValue(10);
      assertThat(error.inReplyTo()).hasValue(5);
      assertThat(error.requireString("text")).contains("txn");
    }
  }

  @Test
  void malformedLinesAreLoggedAndSkipped() throws Exception {
    try (PipedNode node = new PipedNode(io -> io.on("echo",
        r -> io.reply(r, Message.newBody("echo_ok")))).init("n1", "n1")) {
      node.send("this is not json");
      node.send("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"msg_id\":1}}");
      node.send(request("echo", 2, ""));

      Message reply = node.next();

      assertThat(reply.type()).isEqualTo("echo_ok"); // nothing was written for the bad lines
      assertThat(reply.inReplyTo()).hasValue(2);
      assertThat(node.log()).contains("malformed", "this is not json", "no string \"type\"");
    }
  }

  @Test
  void handlerExceptionsBecomeErrorReplies() throws Exception {
    try (PipedNode node = new PipedNode(io -> io
        .on("cas", r -> {
          throw new MaelstromException(ErrorCode.PRECONDITION_FAILED, "expected 1, had 2");
        })
        .on("write", r -> r.requireLong("value"))
        .on("read", r -> {
          throw new IllegalStateException("bug");
        })).init("n1", "n1")) {
      node.send(request("cas", 1, ""));
      Message cas = node.next();
      node.send(request("write", 2, ""));
      Message write = node.next();
      node.send(request("read", 3, ""));
      Message read = node.next();

      assertThat(cas.errorCode()).hasValue(22);
      assertThat(cas.requireString("text")).isEqualTo("expected 1, had 2");
      assertThat(write.errorCode()).hasValue(12);
      assertThat(read.errorCode()).hasValue(13);
      assertThat(read.inReplyTo()).hasValue(3);
    }
  }

  @Test
  void rpcRepliesAreMatchedByInReplyToInAnyOrder() throws Exception {
    try (PipedNode node = new PipedNode(io -> {}).init("n1", "n1", "n2", "n3")) {
      CompletableFuture<Message> toN2 =
          node.io.rpc("n2", Message.newBody("ping"), Duration.ofSeconds(5));
      CompletableFuture<Message> toN3 =
          node.io.rpc("n3", Message.newBody("ping"), Duration.ofSeconds(5));
      Message ping2 = node.next();
      Message ping3 = node.next();
      assertThat(ping2.dest()).isEqualTo("n2");
      assertThat(ping3.dest()).isEqualTo("n3");

      node.send("{\"src\":\"n3\",\"dest\":\"n1\",\"body\":{\"type\":\"pong\",\"msg_id\":1,"
          + "\"in_reply_to\":" + ping3.msgId().getAsLong() + ",\"from\":3}}");
      node.send("{\"src\":\"n2\",\"dest\":\"n1\",\"body\":{\"type\":\"error\",\"code\":11,"
          + "\"in_reply_to\":" + ping2.msgId().getAsLong() + "}}");

      assertThat(toN3.get(5, TimeUnit.SECONDS).requireLong("from")).isEqualTo(3);
      assertThat(toN2.get(5, TimeUnit.SECONDS).errorCode()).hasValue(11);
    }
  }

  @Test
  void rpcTimesOutAndALateReplyIsDroppedWithoutAnAnswer() throws Exception {
    try (PipedNode node = new PipedNode(io -> io.on("echo",
        r -> io.reply(r, Message.newBody("echo_ok")))).init("n1", "n1", "n2")) {
      CompletableFuture<Message> rpc =
          node.io.rpc("n2", Message.newBody("ping"), Duration.ofMillis(100));
      Message ping = node.next();

      assertThatThrownBy(() -> rpc.get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TimeoutException.class)
          .hasMessageContaining("n2");

      node.send("{\"src\":\"n2\",\"dest\":\"n1\",\"body\":{\"type\":\"pong\","
          + "\"in_reply_to\":" + ping.msgId().getAsLong() + "}}");
      node.send(request("echo", 9, ""));
      // Lines are handled in order, so an answer to the late reply would come before this one.
      assertThat(node.next().inReplyTo()).hasValue(9);
      assertThat(node.log()).contains("matches no outstanding rpc");
    }
  }

  @Test
  void aHandlerMayWaitForAnRpcWithoutDeadlockingTheNode() throws Exception {
    try (PipedNode node = new PipedNode(io -> io.on("read", r -> {
      Message fromPeer = io.rpc("n2", Message.newBody("peer_read"), Duration.ofSeconds(5))
          .get(5, TimeUnit.SECONDS);
      JsonObject ok = Message.newBody("read_ok");
      ok.addProperty("value", fromPeer.requireLong("value"));
      io.reply(r, ok);
    })).init("n1", "n1", "n2")) {
      node.send(request("read", 4, ",\"key\":0"));
      Message peerRead = node.next();
      node.send("{\"src\":\"n2\",\"dest\":\"n1\",\"body\":{\"type\":\"peer_read_ok\",\"value\":42,"
          + "\"in_reply_to\":" + peerRead.msgId().getAsLong() + "}}");

      Message readOk = node.next();

      assertThat(readOk.type()).isEqualTo("read_ok");
      assertThat(readOk.requireLong("value")).isEqualTo(42);
      assertThat(readOk.inReplyTo()).hasValue(4);
    }
  }

  @Test
  void overloadIsRefusedAsTemporarilyUnavailable() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch started = new CountDownLatch(1);
    NodeIo.Config tiny = new NodeIo.Config(1 << 20, 100, 1, 1, 100, Duration.ofSeconds(2));
    try (PipedNode node = new PipedNode(tiny, io -> io.on("slow", r -> {
      started.countDown();
      release.await(5, TimeUnit.SECONDS);
      io.reply(r, Message.newBody("slow_ok"));
    })).init("n1", "n1")) {
      node.send(request("slow", 1, "")); // runs, blocked
      assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
      node.send(request("slow", 2, "")); // queued
      node.send(request("slow", 3, "")); // no room

      Message refused = node.next();
      release.countDown();

      assertThat(refused.inReplyTo()).hasValue(3);
      assertThat(refused.errorCode()).hasValue(11);
      assertThat(node.next().inReplyTo()).hasValue(1);
      assertThat(node.next().inReplyTo()).hasValue(2);
    }
  }

  @Test
  void endOfInputEndsTheNodeAndRpcNeedsInit() throws Exception {
    try (PipedNode node = new PipedNode(io -> {})) {
      assertThatThrownBy(() -> node.io.rpc("n2", Message.newBody("x"), Duration.ofSeconds(1)))
          .isInstanceOf(IllegalStateException.class);

      node.endInput();

      assertThat(node.io.awaitInputEnd(PipedNode.WAIT)).isTrue();
    }
  }
}
