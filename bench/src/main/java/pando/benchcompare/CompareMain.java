package pando.benchcompare;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import pando.bench.KvClientTarget;
import pando.bench.Workload;
import pando.bench.WorkloadOptions;
import pando.cli.Pando;
import pando.client.KvClient;
import pando.client.RoutingClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the same workloads with the same runner against a Pando cluster and an etcd cluster, and",
      "prints one table of medians with the ratio Pando / etcd; writes it, a JSON file and a",
      "latency-versus-throughput plot (workload B) to --out. Progress goes to stderr."
    })
public final class CompareMain implements Callable<Integer> {
  @Mixin WorkloadOptions load;

  @Option(names = "--pd", split = ",", defaultValue = "127.0.0.1:7200", paramLabel = "HOST:PORT",
      description = "Pando's placement driver; requests go straight to range leaders (default: ${DEFAULT-VALUE}).")
  List<String> pd = new ArrayList<>();

  @Option(names = "--etcd", split = ",", defaultValue = "127.0.0.1:2379", paramLabel = "HOST:PORT",
      description = "etcd client endpoints, comma-separated (default: ${DEFAULT-VALUE}).")
  List<String> etcd = new ArrayList<>();





  @Option(names = "--warm-up", defaultValue = "10s", description = "Workload A on each store before measuring, not counted; 0s for none (default: ${DEFAULT-VALUE}).")
  Duration warmUp;

  @Option(names = "--runs", defaultValue = "3", description = "Measured runs of every workload; the table shows medians (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--workloads", split = ",", defaultValue = "A,B,C,W",
      description = "Workloads to compare, in order (default: ${DEFAULT-VALUE}).")
  List<Workload> workloads = new ArrayList<>();



  @Option(names = "--sweep", split = ",", defaultValue = "10,20,30,40,50,60,70,80,90,100", paramLabel = "PERCENT",
      description = "Open-loop steps of workload B, in percent of each store's measured peak (default: ${DEFAULT-VALUE}).")
  List<Integer> sweepPercents = new ArrayList<>();

  @Option(names = "--no-sweep", description = "Skip the latency-versus-throughput sweep and its plot.")
  boolean noSweep;

  @Option(names = "--sweep-step", defaultValue = "10s", description = "Length of each sweep step (default: ${DEFAULT-VALUE}).")
  Duration sweepStep;

  @Option(names = "--floor-dir", defaultValue = ".", description = "Where to measure fsync: a directory on the data disk of both stores (default: ${DEFAULT-VALUE}).")
  Path floorDir;

  @Option(names = "--out", defaultValue = "bench-results", description = "Directory for compare.txt, compare.json and the plot (default: ${DEFAULT-VALUE}).")
  Path out;


  @Option(names = "--timeout", defaultValue = "10s", description = "Deadline of each request, on both stores (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  public static void main(String[] args) {
    int exitCode;
    try {
      exitCode = commandLine().execute(args);
    } catch (RuntimeException | Error e) {
      // Picocli reports failures through its handlers; this is the last line of defence.
      System.err.println("error: " + e);
      exitCode = 1;
    }
    System.exit(exitCode);
  }

  static CommandLine commandLine() {
    return Pando.configure(new CommandLine(new CompareMain())).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public Integer call() throws Exception {
    long runSeed = load.runSeed();
    Plan plan = new Plan(load.records, load.valueBytes, load.threads, load.duration, warmUp, runs, workloads,
        load.distribution, load.theta,
        noSweep ? List.of() : sweepPercents, sweepStep, runSeed);
    if (!noSweep) {
      SweepPlan.of(1, sweepPercents); // rejects bad percentages before an hour of measuring, not after
    }
    PrintWriter progress = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    progress.println("compare: seed " + runSeed + "; Pando through placement driver " + pd + ", etcd at " + etcd);
    Files.createDirectories(out);
    Experiment.Outcome outcome;
    try (KvClient pando = RoutingClient.connect(pd, timeout);
        EtcdTarget etcdTarget = EtcdTarget.connect(etcd, timeout)) {
      outcome = new Experiment(plan, Map.of(Store.PANDO, new KvClientTarget(List.of(pando)),
          Store.ETCD, etcdTarget), progress).run(floorDir);
    }
    Report report = new Report(outcome);
    String text = report.text();
    System.out.print(text);
    System.out.flush();
    Path table = out.resolve("compare.txt");
    Path json = out.resolve("compare.json");
    Files.writeString(table, text);
    Files.writeString(json, report.json() + "\n");
    progress.println("compare: table in " + table.toAbsolutePath() + ", JSON in " + json.toAbsolutePath());
    if (!outcome.sweep().isEmpty()) {
      Path png = out.resolve("latency-throughput-B.png");
      SweepChart.write(outcome.sweep(), String.format(Locale.ROOT,
          "Workload B, %d threads, open loop: read latency against throughput", load.threads), png);
      progress.println("compare: plot in " + png.toAbsolutePath());
    }
    return 0;
  }
}
