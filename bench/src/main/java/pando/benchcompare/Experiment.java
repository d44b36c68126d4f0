package pando.benchcompare;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import pando.bench.BenchConfig;
import pando.bench.BenchResult;
import pando.bench.BenchRunner;
import pando.bench.BenchTarget;
import pando.bench.Floor;
import pando.bench.Workload;

/**
 * Runs a {@link Plan} against both stores with the same runner, threads and key sequences: load,
 * warm-up, the measured runs (store order alternating per run), single-client writes, the floor,
 * then the open-loop sweep of workload B.
 */
final class Experiment {
  private static final int FLOOR_SAMPLES = 200;

  /** Everything measured; {@code runs} keeps each run's full result for the JSON. */
  record Outcome(Plan plan, List<Comparison.Sample> samples, List<RunResult> runs, Floor floor,
      List<SweepPoint> sweep) {}

  record RunResult(int run, Store store, String workload, BenchResult result) {}

  private final Plan plan;
  private final Map<Store, BenchTarget> targets;
  private final PrintWriter progress;

  Experiment(Plan plan, Map<Store, BenchTarget> targets, PrintWriter progress) {
    this.plan = plan;
    this.targets = new EnumMap<>(targets);
    this.progress = progress;
    if (!this.targets.keySet().containsAll(List.of(Store.values()))) {
      throw new IllegalArgumentException("a target for every store is needed, got " + targets.keySet());
    }
  }

  Outcome run(Path floorDir) throws Exception {
    for (Store store : Store.values()) {
      step("loading %d records of %d B into %s", plan.records(), plan.valueBytes(), store.label());
      new BenchRunner(plan.config(Workload.A, plan.threads(), plan.duration(), 0, plan.seed()), progress, false)
          .load(targets.get(store));
    }
    if (!plan.warmUp().isZero()) {
      for (Store store : Store.values()) {
        step("warm-up of %s: workload A for %ds (not measured)", store.label(), plan.warmUp().toSeconds());
        runner(plan.config(Workload.A, plan.threads(), plan.warmUp(), 0, plan.seed())).run(targets.get(store));
      }
    }
    List<Comparison.Sample> samples = new ArrayList<>();
    List<RunResult> runs = new ArrayList<>();
    for (int run = 1; run <= plan.runs(); run++) {
      for (Workload workload : plan.workloads()) {
        for (Store store : Plan.order(run)) {
          measure(run, store, workload.name(), plan.config(workload, plan.threads(), plan.duration(), 0,
              plan.seed() + run), samples, runs);
        }
      }
      for (Store store : Plan.order(run)) {
        measure(run, store, Plan.SINGLE_CLIENT_WRITES, plan.config(Workload.W, 1, plan.duration(), 0,
            plan.seed() + run), samples, runs);
      }
    }
    step("measuring the floor: fsync of 4 KiB in %s, loopback round trip", floorDir.toAbsolutePath());
    Floor floor = Floor.measure(floorDir, FLOOR_SAMPLES);
    return new Outcome(plan, samples, runs, floor, sweep(Comparison.of(samples)));
  }

  private void measure(int run, Store store, String label, BenchConfig config, List<Comparison.Sample> samples,
      List<RunResult> runs) throws Exception {
    step("run %d/%d, workload %s, %s (threads %d, %ds)", run, plan.runs(), label, store.label(),
        config.threads(), config.duration().toSeconds());
    BenchResult result = runner(config).run(targets.get(store));
    samples.add(new Comparison.Sample(label, store, run, Figures.of(result), result.totalErrors()));
    runs.add(new RunResult(run, store, label, result));
  }

  /** Open-loop steps of workload B at fractions of each store's own median closed-loop peak. */
  private List<SweepPoint> sweep(Comparison closedLoop) throws Exception {
    List<SweepPoint> points = new ArrayList<>();
    if (plan.sweepPercents().isEmpty()) {
      return points;
    }
    Map<Store, SweepPlan> plans = new EnumMap<>(Store.class);
    for (Store store : Store.values()) {
      OptionalDouble peak = closedLoop.row(Workload.B.name(), store)
          .map(row -> row.medians().get(Figure.OPS_PER_SECOND)).orElse(OptionalDouble.empty());
      if (peak.isEmpty() || peak.getAsDouble() <= 0) {
        step("no sweep: workload B was not measured on %s (add B to --workloads)", store.label());
        return points;
      }
      plans.put(store, SweepPlan.of(peak.getAsDouble(), plan.sweepPercents()));
    }
    int steps = plans.values().stream().mapToInt(p -> p.rates().size()).max().orElse(0);
    for (int step = 0; step < steps; step++) {
      for (Store store : Plan.order(step + 1)) {
        List<Long> rates = plans.get(store).rates();
        if (step < rates.size()) {
          long rate = rates.get(step);
          step("sweep step %d/%d, workload B on %s at %d ops/s", step + 1, steps, store.label(), rate);
          BenchResult result = runner(plan.config(Workload.B, plan.threads(), plan.sweepStep(), rate,
              plan.seed() + step)).run(targets.get(store));
          points.add(point(store, rate, result));
        }
      }
    }
    return points;
  }

  private static SweepPoint point(Store store, long rate, BenchResult result) {
    Figures figures = Figures.of(result);
    return new SweepPoint(store, rate, figures.get(Figure.OPS_PER_SECOND).orElse(0),
        figures.get(Figure.READ_P50).orElse(0), figures.get(Figure.READ_P99).orElse(0), result.totalErrors());
  }

  private BenchRunner runner(BenchConfig config) {
    return new BenchRunner(config, progress, false);
  }

  private void step(String format, Object... args) {
    progress.printf("compare: " + format + "%n", args);
    progress.flush();
  }
}
