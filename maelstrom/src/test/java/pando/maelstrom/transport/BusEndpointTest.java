package pando.maelstrom.transport;

import pando.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BusEndpointTest {
  private static final Duration SHORT = Duration.ofMillis(200);
  private static final Duration LONG = Duration.ofSeconds(5);

  private final LocalBus bus = new LocalBus();
  private final BusEndpoint a = BusEndpoint.open(bus, "a");
  private final BusEndpoint b = BusEndpoint.open(bus, "b");

  @AfterEach
  void close() {
    a.close();
    b.close();
    bus.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The failure of a call, waiting no longer than a deadline. */
  private static Throwable failureOf(CompletableFuture<byte[]> call) {
    assertThatThrownBy(() -> call.get(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class);
    return call.handle((r, e) -> e).join();
  }

  @Test
  void aCallCompletesWithTheReplyOfTheNodeItWentTo() throws Exception {
    b.serve((src, type, body) -> CompletableFuture.completedFuture(
        bytes(src + ":" + type + ":" + new String(body, StandardCharsets.UTF_8))));
    byte[] reply = a.call("b", FrameType.CLIENT_REQUEST, bytes("ping"), LONG).get(LONG.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("a:CLIENT_REQUEST:ping");
    assertThat(b.served(FrameType.CLIENT_REQUEST)).isEqualTo(1);
    assertThat(a.pendingCalls()).isZero();
  }

  @Test
  void silenceBecomesATimeoutAndLeavesNothingPending() {
    // Unknown node, partitioned node, node that never answers: all the same to the caller.
    bus.partition(Set.of("a"), Set.of("b"));
    b.serve((src, type, body) -> CompletableFuture.completedFuture(new byte[0]));
    CompletableFuture<byte[]> toNobody = a.call("nobody", FrameType.REQUEST_VOTE, new byte[0], SHORT);
    CompletableFuture<byte[]> acrossPartition = a.call("b", FrameType.REQUEST_VOTE, new byte[0], SHORT);
    assertThat(failureOf(toNobody)).isInstanceOf(TimeoutIOException.class);
    assertThat(failureOf(acrossPartition)).isInstanceOf(TimeoutIOException.class);
    Await.until(LONG, "no call left pending", () -> a.pendingCalls() == 0);
  }

  @Test
  void aClosedBusBecomesATimeout() {
    b.serve((src, type, body) -> CompletableFuture.completedFuture(new byte[0]));
    bus.close();
    assertThat(failureOf(a.call("b", FrameType.APPEND_ENTRIES, new byte[0], SHORT)))
        .isInstanceOf(TimeoutIOException.class);
  }

  @Test
  void aRemoteFailureArrivesWithItsRatisType() {
    b.serve((src, type, body) -> CompletableFuture.failedFuture(new GroupMismatchException("unknown group")));
    Throwable failure = failureOf(a.call("b", FrameType.CLIENT_REQUEST, new byte[0], LONG));
    assertThat(failure).isExactlyInstanceOf(GroupMismatchException.class).hasMessage("unknown group");
  }

  @Test
  void aNodeThatServesNoRaftServerAnswersNotReadyAtOnce() {
    long start = System.nanoTime();
    Throwable failure = failureOf(a.call("b", FrameType.APPEND_ENTRIES, new byte[0], LONG));
    assertThat(failure).isInstanceOf(ServerNotReadyException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(LONG);
  }

  @Test
  void pendingCallsAreBounded() throws IOException {
    try (BusEndpoint tight = BusEndpoint.open(bus, "tight", new BusEndpoint.Limits(2, 16))) {
      b.serve((src, type, body) -> new CompletableFuture<>()); // never answers
      tight.call("b", FrameType.CLIENT_REQUEST, new byte[0], LONG);
      tight.call("b", FrameType.CLIENT_REQUEST, new byte[0], LONG);
      CompletableFuture<byte[]> third = tight.call("b", FrameType.CLIENT_REQUEST, new byte[0], LONG);
      assertThat(third).isCompletedExceptionally();
      assertThat(failureOf(third)).isInstanceOf(IOException.class).hasMessageContaining("too many");
      assertThat(tight.pendingCalls()).isEqualTo(2);
    }
  }

  @Test
  void closingFailsPendingCallsAtOnceAndRefusesNewOnes() {
    b.serve((src, type, body) -> new CompletableFuture<>());
    CompletableFuture<byte[]> pending = a.call("b", FrameType.INSTALL_SNAPSHOT, new byte[0], LONG);
    a.close();
    assertThat(failureOf(pending)).isInstanceOf(AlreadyClosedException.class);
    assertThat(failureOf(a.call("b", FrameType.INSTALL_SNAPSHOT, new byte[0], LONG)))
        .isInstanceOf(AlreadyClosedException.class);
  }

  @Test
  void closingACallerFailsOnlyItsOwnCalls() throws IOException {
    b.serve((src, type, body) -> new CompletableFuture<>());
    BusCaller server = new BusCaller(a, "server");
    BusCaller client = new BusCaller(a, "client");
    CompletableFuture<byte[]> serverCall = server.call("b", FrameType.REQUEST_VOTE, new byte[0], LONG);
    CompletableFuture<byte[]> clientCall = client.call("b", FrameType.CLIENT_REQUEST, new byte[0], LONG);
    client.close();
    assertThat(failureOf(clientCall)).isInstanceOf(AlreadyClosedException.class);
    assertThat(serverCall).isNotDone();
    assertThatThrownBy(() -> client.callAndWait("b", FrameType.CLIENT_REQUEST, new byte[0], LONG))
        .isInstanceOf(AlreadyClosedException.class);
    server.close();
  }

  @Test
  void aBlockingCallReportsEveryFailureAsAnIoException() {
    BusCaller caller = new BusCaller(a, "caller");
    assertThatThrownBy(() -> caller.callAndWait("nobody", FrameType.REQUEST_VOTE, new byte[0], SHORT))
        .isInstanceOf(TimeoutIOException.class);
    caller.close();
  }

  @Test
  void unreadableMessagesAreDroppedNotFatal() throws Exception {
    MessageBus.Port raw = bus.attach("raw", e -> {});
    raw.send("b", new byte[] {42});
    Await.until(LONG, "the garbage is dropped", () -> b.droppedInbound() == 1);
    b.serve((src, type, body) -> CompletableFuture.completedFuture(bytes("fine")));
    assertThat(a.call("b", FrameType.CLIENT_REQUEST, new byte[0], LONG).get(LONG.toMillis(), TimeUnit.MILLISECONDS))
        .isEqualTo(bytes("fine"));
    raw.close();
  }
}
