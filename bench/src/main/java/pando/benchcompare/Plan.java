package pando.benchcompare;

import java.time.Duration;
import java.util.List;
import pando.bench.BenchConfig;
import pando.bench.Workload;

/**
 * What a comparison runs, fixed before it starts; both stores get exactly the same.
 *
 * @param warmUp closed-loop workload A on each store before the first measured run, discarded
 * @param runs measured repeats of every workload; the table shows medians
 * @param sweepPercents open-loop steps of workload B, in percent of each store's measured peak;
 *     empty for no sweep
 * @param sweepStep length of each sweep step
 * @param seed run {@code r} uses {@code seed + r}, on both stores
 */
record Plan(long records, int valueBytes, int threads, Duration duration, Duration warmUp, int runs,
    List<Workload> workloads, String distribution, double theta, List<Integer> sweepPercents,
    Duration sweepStep, long seed) {
  static final int RUNS_MAX = 99;
  /** The row label of the single-client write runs, measured against the floor. */
  static final String SINGLE_CLIENT_WRITES = "W 1 thread";

  Plan {
    workloads = List.copyOf(workloads);
    sweepPercents = List.copyOf(sweepPercents);
    if (runs < 1 || runs > RUNS_MAX) {
      throw new IllegalArgumentException("--runs must be in 1.." + RUNS_MAX + ", got " + runs);
    }
    if (workloads.isEmpty()) {
      throw new IllegalArgumentException("--workloads names no workload");
    }
    if (warmUp.isNegative()) {
      throw new IllegalArgumentException("--warm-up must not be negative");
    }
    // Validates the shared settings once, up front (fields are not assigned yet in here).
    new BenchConfig(Workload.A, distribution, theta, records, valueBytes, threads, duration, 0, seed);
  }

  BenchConfig config(Workload workload, int clientThreads, Duration length, long rate, long runSeed) {
    return new BenchConfig(workload, distribution, theta, records, valueBytes, clientThreads, length, rate, runSeed);
  }

  /** Run {@code run} (from 1) alternates which store goes first, so drift over time favours neither. */
  static List<Store> order(int run) {
    return run % 2 == 1 ? List.of(Store.PANDO, Store.ETCD) : List.of(Store.ETCD, Store.PANDO);
  }
}
