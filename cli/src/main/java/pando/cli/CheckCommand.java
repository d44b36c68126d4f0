package pando.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import pando.maelstrom.check.Verdict;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code pando check}: Jepsen-style runs against a real cluster (see {@link ClusterCheck}). */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Checks a real cluster for linearizability under faults: starts a placement driver and --nodes"
          + " 'pando node' processes, each in a network namespace of its own; runs --clients clients that"
          + " read, write and compare-and-set --keys registers, half through the routing client and half"
          + " through a node chosen at random for each operation; injects seeded faults; records the"
          + " history (history.jsonl) and checks it.",
      "Needs root, iproute2 and nftables (network namespaces and packet drops make the partitions).",
      "Exit code 0 if every run is linearizable, 1 if one is not or if a read returned a value overwritten"
          + " before it began, 3 if the checker could not decide one within --check-budget (never counted as a"
          + " pass).",
    })
final class CheckCommand implements Callable<Integer> {
  @Option(names = "--seed", description = "Seed of the first run's workload and faults; printed, to replay a run (default: random).")
  Long seed;

  @Option(names = "--runs", defaultValue = "1", description = "Runs, each on a fresh cluster with the next seed (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--nodes", defaultValue = "4", description = "Node processes; with 4 or more, replicas can move (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--clients", defaultValue = "8", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
  int clients;

  @Option(names = "--keys", defaultValue = "6", description = "Registers the clients share (default: ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--time-limit", defaultValue = "30s", description = "How long clients run per run (default: ${DEFAULT-VALUE}).")
  Duration timeLimit;

  @Option(names = "--request-timeout", defaultValue = "2s", description = "Deadline of each client request (default: ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Option(names = "--check-budget", defaultValue = "60s",
      description = "Longest the checker spends on one key before it calls the run undecided (default: ${DEFAULT-VALUE}).")
  Duration checkBudget;

  @Option(names = "--faults", split = ",", paramLabel = "KIND",
      description = "Fault kinds to draw from: isolate, partition, pause, kill, split, move, transfer-leader,"
          + " salt; 'none' for none (default: all but salt: a salted read-hot key is not linearizable while it is"
          + " written, by design, so a run with salt can be judged NOT linearizable for that alone).")
  List<String> faults;

  @Option(names = "--unsafe-stale-reads",
      description = "Read with STALE consistency: NOT linearizable, to see the check catch it.")
  boolean staleReads;

  @Option(names = "--dir", description = "Output directory: node logs, data and history.jsonl per run (default: pando-check/<seed>).")
  Path dir;

  @Override
  public Integer call() throws Exception {
    if (nodes < 3 || nodes > 9 || clients < 1 || clients > 64 || keys < 1 || keys > 1_000 || runs < 1 || runs > 100) {
      throw new IllegalArgumentException("need 3 <= --nodes <= 9, 1 <= --clients <= 64, 1 <= --keys <= 1000 and"
          + " 1 <= --runs <= 100");
    }
    if (!NetNsCluster.supported()) {
      throw new IllegalStateException("pando check needs root and the ip command (iproute2) to give each process a"
          + " network namespace; run it as root");
    }
    long first = seed != null ? seed : System.nanoTime() & 0xffff_ffffL;
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    List<ClusterCheck.Report> reports = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      long s = first + i;
      Path runDir = (dir != null ? dir : Path.of("pando-check")).resolve(Long.toString(s));
      reports.add(ClusterCheck.run(config(s, runDir), out));
    }
    if (runs > 1) {
      out.println("runs:");
      for (ClusterCheck.Report r : reports) {
        out.printf(Locale.ROOT, "  seed %d: %s, %d ops (%d ok, %d fail, %d info), %d faults%n", r.seed(), r.verdict(),
            r.totalOps(), r.total(pando.maelstrom.check.Event.Type.OK), r.total(pando.maelstrom.check.Event.Type.FAIL),
            r.total(pando.maelstrom.check.Event.Type.INFO), r.faults().size());
      }
    }
    if (reports.stream().anyMatch(r -> !r.staleReads().isEmpty())) {
      return 1; // wrong under any reading of the docs, salted keys included
    }
    return exitCode(reports.stream().map(ClusterCheck.Report::verdict).toList());
  }

  ClusterCheck.Config config(long s, Path runDir) {
    return new ClusterCheck.Config(s, nodes, clients, keys, timeLimit, requestTimeout, checkBudget, kinds(faults),
        staleReads, runDir, classpath());
  }

  /** Every kind but SALT: see the --faults help. */
  static final Set<CheckPlan.Kind> DEFAULT_KINDS = EnumSet.complementOf(EnumSet.of(CheckPlan.Kind.SALT));

  static Set<CheckPlan.Kind> kinds(List<String> names) {
    if (names == null || names.isEmpty()) {
      return DEFAULT_KINDS;
    }
    Set<CheckPlan.Kind> kinds = EnumSet.noneOf(CheckPlan.Kind.class);
    for (String name : names) {
      if (!name.equals("none")) {
        kinds.add(CheckPlan.Kind.fromOptionName(name.trim()));
      }
    }
    return kinds;
  }

  /** Invalid beats undecided beats valid. */
  static int exitCode(List<Verdict> verdicts) {
    return verdicts.contains(Verdict.INVALID) ? 1 : verdicts.contains(Verdict.UNKNOWN) ? 3 : 0;
  }

  /** Where the cluster's processes find Pando: this process's class path (the jar under 'pando'). */
  private static String classpath() {
    return System.getProperty("java.class.path");
  }
}
