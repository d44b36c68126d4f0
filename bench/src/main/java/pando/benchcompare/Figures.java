package pando.benchcompare;

import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalDouble;
import pando.bench.BenchResult;

/**
 * What one run measured, figure by figure. A figure is absent when the run had no such operation
 * (no updates in workload C, no reads in W), so a missing latency is never read as zero.
 */
record Figures(Map<Figure, Double> values) {
  Figures {
    values = Map.copyOf(values);
  }

  OptionalDouble get(Figure figure) {
    Double value = values.get(figure);
    return value == null ? OptionalDouble.empty() : OptionalDouble.of(value);
  }

  static Figures of(BenchResult result) {
    Map<Figure, Double> values = new EnumMap<>(Figure.class);
    values.put(Figure.OPS_PER_SECOND, result.totalOps() / result.seconds());
    for (BenchResult.OpSummary op : result.ops()) {
      if (op.count() == 0) {
        continue;
      }
      switch (op.op()) {
        case "read" -> {
          values.put(Figure.READ_P50, op.p50Ms());
          values.put(Figure.READ_P99, op.p99Ms());
        }
        case "update" -> {
          values.put(Figure.UPDATE_P50, op.p50Ms());
          values.put(Figure.UPDATE_P99, op.p99Ms());
        }
        default -> throw new IllegalArgumentException("unknown operation '" + op.op() + "' in a bench result");
      }
    }
    return new Figures(values);
  }
}
