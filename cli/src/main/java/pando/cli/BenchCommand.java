package pando.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import pando.bench.BenchConfig;
import pando.bench.BenchResult;
import pando.bench.BenchRunner;
import pando.bench.BenchTarget;
import pando.bench.CpuCost;
import pando.bench.CpuMeter;
import pando.bench.Floor;
import pando.bench.KvClientTarget;
import pando.bench.ProcessCpu;
import pando.bench.Workload;
import pando.bench.WorkloadOptions;
import pando.client.BulkLoad;
import pando.client.KvClient;
import pando.client.PandoClient;
import pando.client.RoutingClient;
import pando.node.ClusterMember;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Loads records, then runs a YCSB-style workload and reports throughput and latency percentiles.",
      "Progress goes to stderr; the result table (or --json) to stdout.",
      "With --local or --cpu-pids it also reports the servers' CPU time per acknowledged operation (from /proc)."
    })
final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--pd", split = ",", paramLabel = "HOST:PORT",
      description = "The placement driver; requests go straight to range leaders through the routing client"
          + " (the default, with " + DataCommands.DEFAULT_PD + ").")
  List<String> pd = new ArrayList<>();

  @Option(names = {"-e", "--endpoint"}, split = ",", paramLabel = "HOST:PORT",
      description = "Send requests to these nodes instead, spread over the client threads; each node forwards"
          + " them to the range leader.")
  List<String> endpoints = new ArrayList<>();

  @Option(names = "--local", description = "Start a local cluster (with a placement driver) in a temporary"
      + " directory for this run, and remove it after.")
  boolean local;

  @Option(names = "--forwarding", description = "With --local: send requests to the nodes, which forward them,"
      + " instead of routing them to leaders (to compare the two).")
  boolean forwarding;

  @Option(names = "--nodes", defaultValue = "3", description = "Nodes of the --local cluster (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Mixin WorkloadOptions load;

  @Option(names = "--workload", defaultValue = "B",
      description = "A (50/50 read/update), B (95/5), C (read only) or W (update only); default ${DEFAULT-VALUE}.")
  Workload workload;

  @Option(names = "--rate", defaultValue = "0",
      description = "Target ops/s over all threads (open loop; latency counts from each op's scheduled start). 0 = as fast as possible.")
  long rate;

  @Option(names = "--warm-up", defaultValue = "0s",
      description = "Run the workload this long first, after loading, and discard what it measured: a fresh"
          + " client JVM's first seconds (class loading, JIT, connections) are slow (default: ${DEFAULT-VALUE}).")
  Duration warmUp;

  @Option(names = "--no-load", description = "Skip loading; the records are already there.")
  boolean noLoad;

  @Option(names = "--bulk-load", description = "Load through the bulk loader (as 'pando load' does: batches"
      + " grouped by range, several in flight, straight to range leaders) instead of batches of puts."
      + " Needs the routing client (--pd or --local, not --endpoint).")
  boolean bulkLoad;

  @Option(names = "--load-from", defaultValue = "0", paramLabel = "N",
      description = "With --bulk-load: load records N.. only (records below N are there already), to grow a"
          + " data set in steps (default: ${DEFAULT-VALUE}).")
  long loadFrom;

  @Option(names = "--json", description = "Print the result as one JSON object.")
  boolean json;

  @Option(names = "--floor", description = "Also measure this machine's floor for a replicated write (fsync of"
      + " 4 KiB on --floor-dir, loopback round trip) and report the write median as a multiple of"
      + " fsync + 2 x RTT.")
  boolean floor;

  @Option(names = "--floor-dir", description = "Where to measure fsync: a directory on the data disk"
      + " (default: the --local cluster's directory, else the current directory).")
  Path floorDir;

  @Option(names = "--cpu-pids", split = ",", paramLabel = "PID",
      description = "Node processes of a cluster started elsewhere (comma-separated): report their CPU time"
          + " (user + system, from /proc/<pid>/stat), summed, per acknowledged operation of the measured run."
          + " --local measures its own nodes and placement driver without it.")
  List<Long> cpuPids = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (warmUp.isNegative() || warmUp.compareTo(Duration.ofHours(24)) > 0) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--warm-up must be in [0s, 24h], got " + warmUp);
    }
    checkCpuPids();
    if (loadFrom != 0 && !bulkLoad) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--load-from needs --bulk-load");
    }
    if (loadFrom < 0 || loadFrom > load.records) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--load-from must be in [0, --records], got " + loadFrom);
    }
    if (bulkLoad && (forwarding || !endpoints.isEmpty())) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--bulk-load sends batches straight to range leaders: use --pd or --local without --forwarding");
    }
    long runSeed = load.runSeed();
    BenchConfig config = new BenchConfig(workload, load.distribution, load.theta, load.records, load.valueBytes,
        load.threads, load.duration, rate, runSeed);
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter out = spec.commandLine().getOut();
    err.println("pando bench: seed " + runSeed);
    Path dir = null;
    LocalCluster cluster = null;
    try {
      List<String> nodeTargets = endpoints;
      List<String> pdTargets = pd.isEmpty() ? List.of(DataCommands.DEFAULT_PD) : pd;
      if (local) {
        dir = Files.createTempDirectory("pando-bench");
        cluster = startLocal(dir, err);
        nodeTargets = forwarding ? cluster.members().stream().map(ClusterMember::apiAddress).toList() : List.of();
        pdTargets = List.of(cluster.placementDriver().orElseThrow().apiAddress());
      }
      List<KvClient> clients = nodeTargets.isEmpty()
          ? List.of(RoutingClient.connect(pdTargets, Duration.ofSeconds(10)))
          : nodeTargets.stream().<KvClient>map(endpoint -> PandoClient.connect(endpoint, Duration.ofSeconds(10))).toList();
      err.println("pando bench: " + (nodeTargets.isEmpty() ? "routing to range leaders (placement driver "
          + pdTargets + ")" : "through nodes " + nodeTargets + ", which forward"));
      try {
        BenchRunner runner = new BenchRunner(config, err, System.console() != null);
        BenchTarget target = new KvClientTarget(clients);
        if (!noLoad && bulkLoad) {
          bulkLoad((RoutingClient) clients.get(0), config, err);
        } else if (!noLoad) {
          runner.load(target);
        }
        if (!warmUp.isZero()) {
          err.println("pando bench: warm-up of " + warmUp.toSeconds() + " s, not measured");
          err.flush();
          new BenchRunner(config.withDuration(warmUp), err, System.console() != null).run(target);
          err.println("pando bench: measured run of " + load.duration.toSeconds() + " s");
          err.flush();
        }
        CpuMeter cpu = startCpuMeter(serverPids(cluster), err);
        BenchResult result = runner.run(target);
        CpuCost cost = cpu.stop(result.totalOps());
        cost.serversUnmeasured().ifPresent(why -> err.println("pando bench: server CPU not measured: " + why));
        Floor measured = null;
        if (floor) {
          Path where = floorDir != null ? floorDir : dir != null ? dir : Path.of(".");
          err.println("pando bench: measuring the floor (fsync in " + where.toAbsolutePath() + ", loopback)");
          err.flush();
          measured = Floor.measure(where, FLOOR_SAMPLES);
        }
        out.println(json ? withFields(result.json(), cost.jsonFields() + floorJson(result, measured))
            : result.table() + cost.describe() + floorLines(result, measured));
        out.flush();
        return 0;
      } finally {
        clients.forEach(KvClient::close);
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
      if (dir != null) {
        deleteTree(dir);
      }
    }
  }

  /** Loads records [--load-from, --records) with the bulk loader, showing its progress bar. */
  private void bulkLoad(RoutingClient client, BenchConfig config, PrintWriter err) {
    byte[] value = BenchRunner.loadValue(config);
    Iterator<BulkLoad.Record> records = LongStream.range(loadFrom, config.records())
        .mapToObj(i -> new BulkLoad.Record(i + 1, BenchConfig.key(i), value)).iterator();
    LoadProgressBar bar = new LoadProgressBar(err, config.records() - loadFrom);
    long started = System.nanoTime();
    BulkLoad.Result result = client.load(records, BulkLoad.Options.defaults(),
        p -> bar.show(p.written() + p.rejected(), p.written(), p.rejected(), started));
    bar.end();
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    err.printf("pando bench: bulk-loaded records %,d..%,d in %.1f s (%,.0f records/s)%n", loadFrom,
        config.records() - 1, seconds, result.written() / seconds);
    err.flush();
    if (result.rejected() > 0) {
      throw new IllegalStateException(result.rejected() + " records were rejected, the first: "
          + result.rejections().get(0).reason());
    }
  }

  private static final int FLOOR_SAMPLES = 200;

  /** The median of the run's writes, if it had any. */
  private static java.util.OptionalDouble writeP50(BenchResult result) {
    return result.ops().stream().filter(op -> op.op().equals("update") && op.count() > 0)
        .mapToDouble(BenchResult.OpSummary::p50Ms).findFirst();
  }

  private static String floorLines(BenchResult result, Floor measured) {
    if (measured == null) {
      return "";
    }
    String line = "floor: " + measured.describe() + "\n";
    java.util.OptionalDouble write = writeP50(result);
    if (write.isPresent()) {
      line += String.format(java.util.Locale.ROOT, "write p50 %.2f ms = %.1f x floor%n", write.getAsDouble(),
          measured.multipleOf(write.getAsDouble()));
    }
    return line;
  }

  /** JSON members for the floor, each preceded by a comma; none without it. */
  private static String floorJson(BenchResult result, Floor measured) {
    if (measured == null) {
      return "";
    }
    java.util.OptionalDouble write = writeP50(result);
    return ",\"floor\":" + measured.json()
        + (write.isPresent() ? String.format(java.util.Locale.ROOT, ",\"write_p50_in_floors\":%.2f",
            measured.multipleOf(write.getAsDouble())) : "");
  }

  /** The JSON object {@code json} with {@code fields} (members, each preceded by a comma) added at its end. */
  private static String withFields(String json, String fields) {
    return json.substring(0, json.length() - 1) + fields + "}";
  }

  /** Fails before any loading if --cpu-pids names a process that is not running here. */
  private void checkCpuPids() {
    if (local && !cpuPids.isEmpty()) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--cpu-pids is for a cluster started elsewhere; --local measures its own processes");
    }
    for (long pid : cpuPids) {
      try {
        ProcessCpu.of(pid);
      } catch (IOException e) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--cpu-pids: " + e.getMessage());
      }
    }
  }

  /** The server processes whose CPU is measured, by group: a --local cluster's own, or --cpu-pids as nodes. */
  private Map<String, List<Long>> serverPids(LocalCluster cluster) {
    Map<String, List<Long>> groups = new LinkedHashMap<>();
    if (cluster != null) {
      groups.put("nodes", cluster.nodePids());
      cluster.pdProcess().ifPresent(pdProcess -> groups.put("pd", List.of(pdProcess.pid())));
    } else if (!cpuPids.isEmpty()) {
      groups.put("nodes", List.copyOf(cpuPids));
    }
    return groups;
  }

  /** Starts measuring just before the measured run; the servers are left out, with the reason, if one cannot be read. */
  private static CpuMeter startCpuMeter(Map<String, List<Long>> servers, PrintWriter err) throws IOException {
    if (!servers.isEmpty()) {
      err.println("pando bench: CPU time from /proc of " + String.join(", ", servers.entrySet().stream()
          .map(group -> group.getKey() + " (pids " + group.getValue() + ")").toList()));
      err.flush();
    }
    try {
      return CpuMeter.start(servers);
    } catch (IOException e) {
      err.println("pando bench: server CPU not measured: " + e.getMessage());
      err.flush();
      return CpuMeter.start(Map.of());
    }
  }

  private LocalCluster startLocal(Path dir, PrintWriter err) throws Exception {
    int replication = nodes >= 3 ? 3 : 1;
    LocalCluster cluster = new LocalCluster(dir, LocalCluster.onFreePorts(nodes),
        List.of("--replication=" + replication), "768m", System.getProperty("java.class.path"))
        .withPlacementDriver(LocalCluster.pdOnFreePorts(List.of("--initial-nodes=" + nodes,
            "--replication=" + replication)));
    cluster.startAll(LocalCluster.READY_TIMEOUT, i -> { });
    err.println("pando bench: local " + nodes + "-node cluster ready in " + dir);
    err.flush();
    return cluster;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
