package pando.benchcompare;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The open-loop rates of a latency-versus-throughput sweep: given percentages of a store's measured
 * closed-loop peak. Pure. Each store is swept against its own peak, so both curves cover their
 * whole range, from idle to saturated.
 *
 * @param rates target ops/s, ascending, distinct, each at least 1
 */
record SweepPlan(List<Long> rates) {
  static final int STEPS_MAX = 50;

  SweepPlan {
    rates = List.copyOf(rates);
  }

  /** Rates at {@code percents} of {@code peakOpsPerSecond}; percentages in 1..200 (above 100 overloads). */
  static SweepPlan of(double peakOpsPerSecond, List<Integer> percents) {
    if (!(peakOpsPerSecond > 0) || Double.isInfinite(peakOpsPerSecond)) {
      throw new IllegalArgumentException("a sweep needs a positive peak throughput, got " + peakOpsPerSecond);
    }
    if (percents.isEmpty() || percents.size() > STEPS_MAX) {
      throw new IllegalArgumentException("a sweep has 1.." + STEPS_MAX + " steps, got " + percents.size());
    }
    TreeSet<Long> rates = new TreeSet<>();
    for (int percent : percents) {
      if (percent < 1 || percent > 200) {
        throw new IllegalArgumentException("sweep percentages must be in 1..200, got " + percent);
      }
      // Rounded, and at least 1: a low peak must not turn a step into a rate of zero (closed loop).
      rates.add(Math.max(1, Math.round(peakOpsPerSecond * percent / 100.0)));
    }
    return new SweepPlan(new ArrayList<>(rates));
  }
}
