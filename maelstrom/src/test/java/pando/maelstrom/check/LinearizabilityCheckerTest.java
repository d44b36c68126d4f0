package pando.maelstrom.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static pando.maelstrom.check.Ops.cas;
import static pando.maelstrom.check.Ops.read;
import static pando.maelstrom.check.Ops.write;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LinearizabilityCheckerTest {
  private static final Duration BUDGET = Duration.ofSeconds(5);
  private final LinearizabilityChecker checker = new LinearizabilityChecker();

  static Stream<Arguments> nonLinearizable() {
    return Stream.of(
        arguments("stale read after two sequential writes", Ops.history(
            write(0, 1, 0, 10),
            write(0, 2, 20, 30),
            read(1, 1L, 40, 50))),
        arguments("lost write: a later read finds the key absent", Ops.history(
            write(0, 1, 0, 10),
            read(1, null, 20, 30))),
        arguments("cas succeeds on a value already overwritten", Ops.history(
            write(0, 1, 0, 10),
            write(0, 2, 20, 30),
            cas(1, 1, 3, 40, 50),
            read(1, 3L, 60, 70))),
        arguments("read of a value never written, concurrent with a write", Ops.history(
            write(0, 1, 0, 10),
            read(1, 7L, 5, 20))),
        arguments("the same cas 0->1 succeeds twice in a row", Ops.history(
            write(0, 0, 0, 10),
            cas(0, 0, 1, 20, 30),
            cas(1, 0, 1, 40, 50))),
        arguments("cas succeeds on an absent key", Ops.history(
            cas(0, 0, 1, 0, 10))),
        arguments("reads go back in time during a slow write", Ops.history(
            write(0, 1, 0, 10),
            write(0, 2, 20, 100),
            read(1, 2L, 30, 40),
            read(1, 1L, 50, 60))),
        arguments("timed-out write read before it was invoked", Ops.history(
            read(1, 5L, 0, 10),
            write(0, 5, 20, 30).timedOut())),
        arguments("timed-out write cannot take effect twice", Ops.history(
            write(0, 5, 0, 10).timedOut(),
            write(1, 6, 20, 30),
            read(2, 5L, 40, 50),
            write(1, 6, 60, 70),
            read(2, 5L, 80, 90))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nonLinearizable")
  void rejects(String name, History history) {
    Result result = checker.check(history, BUDGET);

    assertThat(result.verdict()).as(result.describe()).isEqualTo(Verdict.INVALID);
    assertThat(result.firstInvalid()).get().extracting(KeyResult::key).isEqualTo("x");
  }

  static Stream<Arguments> linearizable() {
    return Stream.of(
        arguments("concurrent read sees the old value", Ops.history(
            write(0, 1, 0, 10),
            write(0, 2, 20, 50),
            read(1, 1L, 30, 40))),
        arguments("concurrent read sees the new value", Ops.history(
            write(0, 1, 0, 10),
            write(0, 2, 20, 50),
            read(1, 2L, 30, 40))),
        arguments("timed-out write shows up much later", Ops.history(
            write(0, 1, 0, 10),
            write(0, 2, 20, 30).timedOut(),
            read(1, 1L, 40, 50),
            read(1, 1L, 500, 510),
            read(1, 2L, 10_000, 10_010))),
        arguments("timed-out write never shows up", Ops.history(
            write(0, 1, 0, 10),
            write(0, 2, 20, 30).timedOut(),
            read(1, 1L, 40, 50),
            read(1, 1L, 10_000, 10_010))),
        arguments("timed-out cas took effect", Ops.history(
            write(0, 1, 0, 10),
            cas(0, 1, 2, 20, 30).timedOut(),
            read(1, 2L, 40, 50))),
        arguments("timed-out cas whose precondition never held", Ops.history(
            write(0, 1, 0, 10),
            cas(0, 5, 6, 20, 30).timedOut(),
            read(1, 1L, 40, 50))),
        arguments("failed cas that would have been illegal", Ops.history(
            write(0, 1, 0, 10),
            cas(1, 5, 6, 20, 30).failed(),
            read(1, 1L, 40, 50))),
        arguments("failed cas on an absent key", Ops.history(
            cas(1, 0, 1, 0, 10).failed(),
            read(1, null, 20, 30))),
        arguments("timed-out read is ignored whatever it carries", Ops.history(
            write(0, 1, 0, 10),
            read(1, 99L, 20, 30).timedOut(),
            read(1, 1L, 40, 50))),
        arguments("absent key, then written, then cas", Ops.history(
            read(0, null, 0, 10),
            write(0, 1, 20, 30),
            cas(1, 1, 2, 40, 50),
            read(2, 2L, 60, 70))),
        arguments("ops touching at an instant count as concurrent", Ops.history(
            write(0, 1, 0, 10),
            read(1, null, 10, 20))),
        arguments("many keys interleaved, each linearizable", Ops.history(
            write(0, 1, 0, 10).on("a"),
            write(1, 1, 5, 15).on("b"),
            read(2, null, 6, 8).on("c"),
            write(2, 2, 12, 40).on("c"),
            read(0, 1L, 20, 30).on("b"),
            cas(1, 1, 3, 20, 35).on("a"),
            read(3, 1L, 21, 25).on("a"),
            read(0, 3L, 36, 45).on("a"),
            read(1, 2L, 41, 50).on("c"),
            cas(3, 1, 4, 30, 60).on("b"),
            read(2, 4L, 70, 80).on("b"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("linearizable")
  void accepts(String name, History history) {
    Result result = checker.check(history, BUDGET);

    assertThat(result.verdict()).as(result.describe()).isEqualTo(Verdict.VALID);
    assertThat(result.firstInvalid()).isEmpty();
  }

  @Test
  void reportsLongestLinearizablePrefixAndTheOpItCouldNotPlace() {
    History history = Ops.history(write(0, 1, 0, 10), write(0, 2, 20, 30), read(1, 1L, 40, 50));

    Result result = checker.check(history, BUDGET);

    Counterexample c = result.firstInvalid().orElseThrow().counterexample().orElseThrow();
    List<Op> ops = history.ops();
    assertThat(c.longestPrefix()).containsExactly(ops.get(0), ops.get(1));
    assertThat(c.stateAfterPrefix()).isEqualTo(2L);
    assertThat(c.stuckOn()).isEqualTo(ops.get(2));
    assertThat(c.keyEvents()).hasSize(6);
    assertThat(result.describe())
        .contains("INVALID", "Key x is not linearizable", "p0 write x 2 ok [20, 30]",
            "Cannot be extended past: p1 read x -> 1 ok [40, 50]", "p1 ok read x 1 @50");
  }

  @Test
  void aSingleBadKeyMakesTheWholeHistoryInvalidAndIsNamed() {
    History history = Ops.history(
        write(0, 1, 0, 10).on("good"),
        write(1, 1, 0, 10).on("bad"),
        read(0, 1L, 20, 30).on("good"),
        read(1, 2L, 20, 30).on("bad"),
        read(2, null, 0, 5).on("other"));

    Result result = checker.check(history, BUDGET);

    assertThat(result.verdict()).isEqualTo(Verdict.INVALID);
    assertThat(result.verdictsByKey()).containsExactly(
        Map.entry("bad", Verdict.INVALID),
        Map.entry("good", Verdict.VALID),
        Map.entry("other", Verdict.VALID));
    assertThat(result.firstInvalid()).get().extracting(KeyResult::key).isEqualTo("bad");
  }

  @Test
  void countsOnlyOpsThatCanAffectTheVerdict() {
    History history = Ops.history(
        write(0, 1, 0, 10),
        cas(1, 7, 8, 20, 30).failed(),
        read(2, 1L, 20, 30).timedOut(),
        write(3, 2, 20, 30).timedOut(),
        read(0, 1L, 40, 50));

    Result result = checker.check(history, BUDGET);

    assertThat(result.verdict()).isEqualTo(Verdict.VALID);
    assertThat(result.opsChecked()).isEqualTo(3);
  }

  @Test
  void emptyHistoryIsValid() {
    Result result = checker.check(History.fromEvents(List.of()), BUDGET);

    assertThat(result.verdict()).isEqualTo(Verdict.VALID);
    assertThat(result.keys()).isEmpty();
  }

  @Test
  void rejectsNegativeBudget() {
    assertThatThrownBy(() -> checker.check(Ops.history(), Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
