package pando.maelstrom.transport;

import pando.testing.Await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalBusTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final LocalBus bus = new LocalBus();
  private final BlockingQueue<Envelope> atA = new LinkedBlockingQueue<>();
  private final BlockingQueue<Envelope> atB = new LinkedBlockingQueue<>();
  private final BlockingQueue<Envelope> atC = new LinkedBlockingQueue<>();
  private final MessageBus.Port a = bus.attach("a", atA::add);
  private final MessageBus.Port b = bus.attach("b", atB::add);
  private final MessageBus.Port c = bus.attach("c", atC::add);

  @AfterEach
  void close() {
    bus.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Envelope e) {
    return new String(e.payload(), StandardCharsets.UTF_8);
  }

  private static Envelope next(BlockingQueue<Envelope> queue) throws InterruptedException {
    Envelope e = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(e).as("a message within " + WAIT).isNotNull();
    return e;
  }

  @Test
  void deliversBetweenAttachedNodesInTheOrderSent() throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      b.send("a", bytes("m" + i));
    }
    List<String> received = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Envelope e = next(atA);
      assertThat(e.src()).isEqualTo("b");
      assertThat(e.dest()).isEqualTo("a");
      received.add(text(e));
    }
    assertThat(received).containsExactlyElementsOf(
        java.util.stream.IntStream.range(0, 100).mapToObj(i -> "m" + i).toList());
    assertThat(bus.delivered()).isEqualTo(100);
  }

  @Test
  void partitionDropsBothWaysUntilHealed() throws InterruptedException {
    bus.partition(Set.of("a"), Set.of("b"));
    a.send("b", bytes("lost"));
    b.send("a", bytes("lost"));
    a.send("c", bytes("marker"));
    // One deliverer, in order: once the marker is in, the earlier messages were dealt with.
    assertThat(text(next(atC))).isEqualTo("marker");
    assertThat(atA).isEmpty();
    assertThat(atB).isEmpty();
    assertThat(bus.dropped()).isEqualTo(2);

    bus.heal();
    a.send("b", bytes("after heal"));
    assertThat(text(next(atB))).isEqualTo("after heal");
  }

  @Test
  void aPartitionThatStartsWhileAMessageIsInFlightLosesIt() throws InterruptedException {
    bus.setDelay(Duration.ofMillis(300), Duration.ofMillis(300));
    a.send("b", bytes("in flight"));
    bus.partition(Set.of("a"), Set.of("b", "c"));
    a.send("a", bytes("marker")); // to itself: not cut, due after the first
    assertThat(text(next(atA))).isEqualTo("marker");
    assertThat(atB).isEmpty();
    assertThat(bus.dropped()).isEqualTo(1);
  }

  @Test
  void delaysMessagesByAtLeastTheMinimum() throws InterruptedException {
    bus.setDelay(Duration.ofMillis(150), Duration.ofMillis(200));
    long start = System.nanoTime();
    a.send("b", bytes("slow"));
    next(atB);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
  }

  @Test
  void dropsWhatExceedsItsCapacityAndWhatHasNowhereToGo() throws InterruptedException {
    try (LocalBus small = new LocalBus(3)) {
      BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
      MessageBus.Port x = small.attach("x", received::add);
      small.setDelay(Duration.ofMillis(200), Duration.ofMillis(200));
      for (int i = 0; i < 5; i++) {
        x.send("x", bytes("m" + i));
      }
      assertThat(small.dropped()).isEqualTo(2); // over capacity
      for (int i = 0; i < 3; i++) {
        assertThat(text(next(received))).isEqualTo("m" + i);
      }
      x.send("nobody", bytes("unknown"));
      Await.until(WAIT, "the message to an unknown node is dropped", () -> small.dropped() == 3);
    }
  }

  @Test
  void aClosedPortIsDetachedAndSendsNothing() throws InterruptedException {
    b.close();
    a.send("b", bytes("to a detached node"));
    b.send("a", bytes("from a closed port"));
    a.send("c", bytes("marker"));
    next(atC);
    assertThat(atA).isEmpty();
    assertThat(atB).isEmpty();
    // The id is free again: a restarted node attaches under its old name.
    BlockingQueue<Envelope> again = new LinkedBlockingQueue<>();
    bus.attach("b", again::add);
    a.send("b", bytes("hello again"));
    assertThat(text(next(again))).isEqualTo("hello again");
  }

  @Test
  void refusesDuplicateAttachmentsAndEverythingAfterClose() {
    assertThatThrownBy(() -> bus.attach("a", e -> {})).isInstanceOf(IllegalStateException.class);
    bus.close();
    assertThatThrownBy(() -> bus.attach("d", e -> {})).isInstanceOf(IllegalStateException.class);
    long dropped = bus.dropped();
    a.send("b", bytes("after close"));
    assertThat(bus.dropped()).isEqualTo(dropped + 1);
  }

  @Test
  void aFailingReceiverDoesNotStopDelivery() throws InterruptedException {
    bus.attach("faulty", e -> {
      throw new IllegalStateException("boom");
    });
    a.send("faulty", bytes("x"));
    a.send("b", bytes("still delivered"));
    assertThat(text(next(atB))).isEqualTo("still delivered");
  }
}
