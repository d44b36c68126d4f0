package pando.maelstrom.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GeneratedHistoryTest {
  private static final Duration BUDGET = Duration.ofSeconds(10);
  private final LinearizabilityChecker checker = new LinearizabilityChecker();

  private static List<Event> simulate(long seed) {
    return new RegisterSimulation(seed, 6, 3, 700, 0.01).run();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2})
  void acceptsLongSimulatedHistory(long seed) {
    History history = History.fromEvents(simulate(seed));

    Result result = checker.check(history, BUDGET);

    assertThat(result.verdict()).as(result.describe()).isEqualTo(Verdict.VALID);
    assertThat(result.keys()).hasSize(3);
    assertThat(result.opsChecked()).isGreaterThan(3_000);
    assertThat(result.elapsed()).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void rejectsTheSameHistoryWithOneReadCorrupted() {
    List<Event> events = new ArrayList<>(simulate(1));
    int victim = firstOkReadAfter(events, events.size() / 3);
    Event original = events.get(victim);
    // Written values are positive, so -1 was never written: the read cannot be explained.
    events.set(victim, new Event(original.process(), Event.Type.OK, Kind.READ, original.key(),
        -1L, original.timeNanos()));

    Result result = checker.check(History.fromEvents(events), BUDGET);

    assertThat(result.verdict()).as(result.describe()).isEqualTo(Verdict.INVALID);
    KeyResult bad = result.firstInvalid().orElseThrow();
    assertThat(bad.key()).isEqualTo(original.key());
    assertThat(bad.counterexample().orElseThrow().stuckOn().value()).isEqualTo(-1L);
    // The report stays readable: it shows the end of the prefix and the events around the op.
    String report = result.describe();
    assertThat(report).contains("Cannot be extended past: p" + original.process() + " read "
        + original.key() + " -> -1 ok", "earlier ops", "showing");
    assertThat(report.lines().count()).isLessThan(150);
    assertThat(result.elapsed()).isLessThan(Duration.ofSeconds(5));
  }

  private static int firstOkReadAfter(List<Event> events, int from) {
    for (int i = from; i < events.size(); i++) {
      Event e = events.get(i);
      if (e.type() == Event.Type.OK && e.f() == Kind.READ) {
        return i;
      }
    }
    throw new IllegalStateException("no ok read after event " + from);
  }
}
