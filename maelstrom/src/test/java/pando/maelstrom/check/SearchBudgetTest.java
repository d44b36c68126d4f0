package pando.maelstrom.check;

import static org.assertj.core.api.Assertions.assertThat;
import static pando.maelstrom.check.Ops.read;
import static pando.maelstrom.check.Ops.write;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SearchBudgetTest {

  /**
   * {@code writers} concurrent writes of 1, 2, ..., then reads of 1 and of 2 in sequence. Not
   * linearizable (nothing writes 2 after 1 has been read), but proving it means trying every subset
   * of writes with every last write: about {@code writers * 2^writers} configurations.
   */
  private static History concurrentWritesThenImpossibleReads(int writers) {
    List<Ops.Spec> specs = new ArrayList<>();
    for (int p = 0; p < writers; p++) {
      specs.add(write(p, p + 1, 0, 100));
    }
    specs.add(read(0, 1L, 200, 210));
    specs.add(read(0, 2L, 300, 310));
    return Ops.history(specs.toArray(Ops.Spec[]::new));
  }

  @Test
  void smallInstanceOfThePathologicalHistoryIsInvalid() {
    Result result = new LinearizabilityChecker()
        .check(concurrentWritesThenImpossibleReads(8), Duration.ofSeconds(5));

    assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
  }

  @Test
  void exhaustedTimeBudgetGivesUnknownNotAVerdict() {
    LinearizabilityChecker unboundedCache = new LinearizabilityChecker(Integer.MAX_VALUE);

    Result result = unboundedCache.check(concurrentWritesThenImpossibleReads(24),
        Duration.ofMillis(200));

    assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
    KeyResult key = result.keys().get(0);
    assertThat(key.reason()).contains("time budget");
    assertThat(key.counterexample()).isEmpty();
    assertThat(key.elapsed()).isLessThan(Duration.ofSeconds(3));
    assertThat(result.describe()).startsWith("UNKNOWN").contains("x: UNKNOWN");
  }

  @Test
  void zeroBudgetGivesUnknownEvenForAnEasyHistory() {
    History staleRead = Ops.history(write(0, 1, 0, 10), write(0, 2, 20, 30), read(1, 1L, 40, 50));

    Result result = new LinearizabilityChecker().check(staleRead, Duration.ZERO);

    assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
  }

  @Test
  void exhaustedCacheGivesUnknownNotAVerdict() {
    LinearizabilityChecker smallCache = new LinearizabilityChecker(1_000);

    Result result = smallCache.check(concurrentWritesThenImpossibleReads(12),
        Duration.ofSeconds(5));

    assertThat(result.verdict()).isEqualTo(Verdict.UNKNOWN);
    assertThat(result.keys().get(0).reason()).contains("cache");
  }

  @Test
  void unknownKeyDoesNotHideAnInvalidOne() {
    List<Event> events = new ArrayList<>(concurrentWritesThenImpossibleReads(24).events());
    Event lostWrite = Event.invokeWrite(100, "y", 1, 1_000);
    events.add(lostWrite);
    events.add(lostWrite.complete(Event.Type.OK, 1_010));
    Event absentRead = Event.invokeRead(100, "y", 1_020);
    events.add(absentRead);
    events.add(absentRead.complete(Event.Type.OK, null, 1_030));

    Result result = new LinearizabilityChecker().check(History.fromEvents(events),
        Duration.ofMillis(100));

    assertThat(result.verdictsByKey()).containsEntry("x", Verdict.UNKNOWN)
        .containsEntry("y", Verdict.INVALID);
    assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
  }
}
