package pando.benchcompare;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The side-by-side table: for each workload, the median over runs of every figure for each store,
 * and the ratio Pando / etcd of those medians. Pure: takes the samples, returns rows and text.
 *
 * <p>Each figure's median is taken on its own (the run with the median throughput need not be the
 * run with the median p99), as the runs are repeats of one experiment, not paired observations.
 */
final class Comparison {
  /** One measured run of one workload on one store. */
  record Sample(String workload, Store store, int run, Figures figures, long errors) {}

  /** Medians for one workload on one store, over {@code runs} runs. */
  record Row(String workload, Store store, int runs, Figures medians, long errors) {}

  /** Pando / etcd of each figure both stores have for a workload. */
  record Ratio(String workload, Figures ratios) {}

  private final List<Row> rows;
  private final List<Ratio> ratios;

  private Comparison(List<Row> rows, List<Ratio> ratios) {
    this.rows = List.copyOf(rows);
    this.ratios = List.copyOf(ratios);
  }

  /** Workloads appear in the order of their first sample. */
  static Comparison of(List<Sample> samples) {
    Set<String> workloads = new LinkedHashSet<>();
    samples.forEach(s -> workloads.add(s.workload()));
    List<Row> rows = new ArrayList<>();
    List<Ratio> ratios = new ArrayList<>();
    for (String workload : workloads) {
      Map<Store, Row> byStore = new EnumMap<>(Store.class);
      for (Store store : Store.values()) {
        List<Sample> mine = samples.stream()
            .filter(s -> s.workload().equals(workload) && s.store() == store).toList();
        if (!mine.isEmpty()) {
          Row row = new Row(workload, store, mine.size(), medians(mine), mine.stream().mapToLong(Sample::errors).sum());
          rows.add(row);
          byStore.put(store, row);
        }
      }
      if (byStore.containsKey(Store.PANDO) && byStore.containsKey(Store.ETCD)) {
        ratios.add(new Ratio(workload, ratio(byStore.get(Store.PANDO).medians(), byStore.get(Store.ETCD).medians())));
      }
    }
    return new Comparison(rows, ratios);
  }

  List<Row> rows() {
    return rows;
  }

  List<Ratio> ratios() {
    return ratios;
  }

  /** The row of one workload and store, if it was measured. */
  Optional<Row> row(String workload, Store store) {
    return rows.stream().filter(r -> r.workload().equals(workload) && r.store() == store).findFirst();
  }

  private static Figures medians(List<Sample> samples) {
    Map<Figure, Double> medians = new EnumMap<>(Figure.class);
    for (Figure figure : Figure.values()) {
      double[] values = samples.stream().map(s -> s.figures().get(figure))
          .filter(OptionalDouble::isPresent).mapToDouble(OptionalDouble::getAsDouble).toArray();
      median(values).ifPresent(m -> medians.put(figure, m));
    }
    return new Figures(medians);
  }

  /** The middle value; for an even count, the mean of the two middle ones. */
  static OptionalDouble median(double[] values) {
    if (values.length == 0) {
      return OptionalDouble.empty();
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return OptionalDouble.of(sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
  }

  private static Figures ratio(Figures pando, Figures etcd) {
    Map<Figure, Double> ratios = new EnumMap<>(Figure.class);
    for (Figure figure : Figure.values()) {
      OptionalDouble p = pando.get(figure);
      OptionalDouble e = etcd.get(figure);
      // A zero denominator has no meaningful ratio; the cell is left empty rather than infinite.
      if (p.isPresent() && e.isPresent() && e.getAsDouble() > 0) {
        ratios.put(figure, p.getAsDouble() / e.getAsDouble());
      }
    }
    return new Figures(ratios);
  }

  /**
   * One table: per workload a row per store (medians; ops/s, then latencies in ms) and a ratio row
   * Pando / etcd. A ratio above 1 means Pando is better for ops/s and worse for a latency.
   */
  String table() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%-10s %-12s %10s %10s %10s %11s %11s %7s%n", "workload", "store",
        "ops/s", "read p50", "read p99", "update p50", "update p99", "errors"));
    for (String workload : rows.stream().map(Row::workload).distinct().toList()) {
      for (Row row : rows) {
        if (row.workload().equals(workload)) {
          out.append(String.format(Locale.ROOT, "%-10s %-12s %10s %10s %10s %11s %11s %7d%n", workload,
              row.store().label() + " (" + row.runs() + ")",
              cell(row.medians(), Figure.OPS_PER_SECOND, "%.0f"), cell(row.medians(), Figure.READ_P50, "%.2f"),
              cell(row.medians(), Figure.READ_P99, "%.2f"), cell(row.medians(), Figure.UPDATE_P50, "%.2f"),
              cell(row.medians(), Figure.UPDATE_P99, "%.2f"), row.errors()));
        }
      }
      for (Ratio ratio : ratios) {
        if (ratio.workload().equals(workload)) {
          out.append(String.format(Locale.ROOT, "%-10s %-12s %10s %10s %10s %11s %11s%n", workload, "pando/etcd",
              cell(ratio.ratios(), Figure.OPS_PER_SECOND, "%.2f"), cell(ratio.ratios(), Figure.READ_P50, "%.2f"),
              cell(ratio.ratios(), Figure.READ_P99, "%.2f"), cell(ratio.ratios(), Figure.UPDATE_P50, "%.2f"),
              cell(ratio.ratios(), Figure.UPDATE_P99, "%.2f")));
        }
      }
    }
    return out.toString();
  }

  private static String cell(Figures figures, Figure figure, String format) {
    OptionalDouble value = figures.get(figure);
    return value.isPresent() ? String.format(Locale.ROOT, format, value.getAsDouble()) : "-";
  }
}
