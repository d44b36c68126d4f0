package pando.pd;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * How the placement driver's operators ended, counted from this replica's start: {@code
 * pando_pd_operators_finished_total} (labels {@code kind} and {@code outcome}) and {@code
 * pando_pd_splits_total} (label {@code reason}). Every series exists from the start at 0, so a
 * rate over it is defined before the first operator ends.
 */
final class OperatorCounts {
  enum Kind { MOVE, TRANSFER_LEADER, SPLIT, SALT, UNSALT }

  /**
   * DONE: the operator did what it set out to. FAILED: a step failed (a move's or hot key's step is
   * counted each time and retried; a split or a transfer is not retried). ABANDONED: it ended
   * without its effect, as a move of a range that went away.
   */
  enum Outcome { DONE, FAILED, ABANDONED }

  enum SplitReason { SIZE, LOAD, ADMIN }

  private final Map<Kind, Map<Outcome, LongAdder>> operators = new EnumMap<>(Kind.class);
  private final Map<SplitReason, LongAdder> splits = new EnumMap<>(SplitReason.class);

  OperatorCounts() {
    for (Kind kind : Kind.values()) {
      Map<Outcome, LongAdder> byOutcome = new EnumMap<>(Outcome.class);
      for (Outcome outcome : Outcome.values()) {
        byOutcome.put(outcome, new LongAdder());
      }
      operators.put(kind, byOutcome);
    }
    for (SplitReason reason : SplitReason.values()) {
      splits.put(reason, new LongAdder());
    }
  }

  void count(Kind kind, Outcome outcome) {
    operators.get(kind).get(outcome).increment();
  }

  void split(SplitReason reason) {
    splits.get(reason).increment();
    count(Kind.SPLIT, Outcome.DONE);
  }

  /** Publishes the counts to {@code registry}. */
  void bindTo(MeterRegistry registry) {
    operators.forEach((kind, byOutcome) -> byOutcome.forEach((outcome, adder) ->
        FunctionCounter.builder("pando.pd.operators.finished", adder, LongAdder::sum)
            .description("Operators of the placement driver that ended, by kind and outcome")
            .tags("kind", label(kind), "outcome", label(outcome))
            .register(registry)));
    splits.forEach((reason, adder) -> FunctionCounter.builder("pando.pd.splits", adder, LongAdder::sum)
        .description("Splits recorded in the range table, by what asked for them")
        .tag("reason", label(reason))
        .register(registry));
  }

  private static String label(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
