package pando.maelstrom.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StaleReadsTest {
  private static History history(Event... events) {
    return History.fromEvents(List.of(events));
  }

  @Test
  void aReadOfAValueOverwrittenAndAcknowledgedBeforeItBeganIsStale() {
    Event w1 = Event.invokeWrite(1, "k", 1, 0);
    Event w2 = Event.invokeWrite(1, "k", 2, 20);
    Event r = Event.invokeRead(2, "k", 40);
    History h = history(w1, w1.complete(Event.Type.OK, 10), w2, w2.complete(Event.Type.OK, 30), r,
        r.complete(Event.Type.OK, 1L, 50));

    assertThat(StaleReads.find(h)).singleElement().asString().contains("key k").contains("returned 1");
  }

  @Test
  void newerThenOlderWhileTheNewerWriteIsInFlightIsNotStaleThoughNotLinearizable() {
    Event w1 = Event.invokeWrite(1, "k", 1, 0);
    Event w2 = Event.invokeWrite(1, "k", 2, 20);
    Event r1 = Event.invokeRead(2, "k", 25);
    Event r2 = Event.invokeRead(3, "k", 35);
    History h = history(w1, w1.complete(Event.Type.OK, 10), w2, r1, r1.complete(Event.Type.OK, 2L, 30), r2,
        r2.complete(Event.Type.OK, 1L, 40), w2.complete(Event.Type.OK, 60));

    assertThat(StaleReads.find(h)).isEmpty();
    assertThat(new LinearizabilityChecker().check(h, java.time.Duration.ofSeconds(5)).verdict())
        .isEqualTo(Verdict.INVALID);
  }

  @Test
  void anAbsentKeyAfterAnAcknowledgedWriteIsStaleAndValuesOfUnknownWritesProveNothing() {
    Event w1 = Event.invokeWrite(1, "k", 1, 0);
    Event r = Event.invokeRead(2, "k", 20);
    assertThat(StaleReads.find(history(w1, w1.complete(Event.Type.OK, 10), r, r.complete(Event.Type.OK, null, 30))))
        .hasSize(1);

    Event unknown = Event.invokeWrite(1, "k", 1, 0);
    Event w2 = Event.invokeWrite(3, "k", 2, 20);
    Event r2 = Event.invokeRead(2, "k", 40);
    assertThat(StaleReads.find(history(unknown, unknown.complete(Event.Type.INFO, 10), w2,
        w2.complete(Event.Type.OK, 30), r2, r2.complete(Event.Type.OK, 1L, 50))))
        .as("1 may have been applied after 2").isEmpty();
  }
}
