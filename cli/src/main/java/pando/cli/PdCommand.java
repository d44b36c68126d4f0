package pando.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import pando.pd.PdConfig;
import pando.pd.PdPeer;
import pando.pd.PdServer;
import pando.pd.meta.LivenessPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "pd",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one placement-driver replica until it is stopped (SIGTERM or Ctrl-C).",
      "The placement driver keeps the cluster's metadata in its own Raft group: 1 replica for a"
          + " laptop, 3 in production (it survives the loss of a minority). Nodes register and"
          + " heartbeat to it; 'pando admin' asks it about the cluster."
    })
final class PdCommand implements java.util.concurrent.Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--id", required = true, description = "This replica's id, one of --peers (e.g. pd1).")
  String id;

  @Option(names = "--peers", required = true, split = ",", paramLabel = "id=host:raftPort",
      description = "Every replica of the placement driver's Raft group, this one included.")
  List<String> peers;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface for the PD's gRPC port (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", required = true, description = "Port of the PD's gRPC services (PlacementDriver, Admin).")
  int port;

  @Option(names = "--data-dir", required = true, description = "Where this replica keeps its Raft log and snapshots.")
  Path dataDir;

  @Option(names = "--suspect-after", defaultValue = "3s",
      description = "A node silent this long is SUSPECT (default: ${DEFAULT-VALUE}).")
  Duration suspectAfter;

  @Option(names = "--down-after", defaultValue = "10s",
      description = "A node silent this long is DOWN (default: ${DEFAULT-VALUE}).")
  Duration downAfter;

  @Option(names = "--heartbeat-interval", defaultValue = "1s",
      description = "How often nodes are asked to heartbeat (default: ${DEFAULT-VALUE}).")
  Duration heartbeatInterval;

  @Option(names = "--initial-nodes", defaultValue = "3",
      description = "Create the cluster's first ranges once this many nodes have registered (default: ${DEFAULT-VALUE}).")
  int initialNodes;

  @Option(names = "--initial-ranges", defaultValue = "8",
      description = "How many ranges to cut the hash space into at first (default: ${DEFAULT-VALUE}).")
  int initialRanges;

  @Option(names = "--replication", defaultValue = "3",
      description = "Replicas per range: 1, 3 or 5 (default: ${DEFAULT-VALUE}).")
  int replication;

  @Option(names = "--schedule", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Move replicas and leaders automatically: replace replicas on DOWN nodes, empty draining"
          + " nodes, balance replicas and leaders across nodes (default: on; --no-schedule moves only on"
          + " 'pando admin move').")
  boolean schedule;

  @Option(names = "--max-moves-per-node", defaultValue = "2",
      description = "Replica moves one node may take part in at once (default: ${DEFAULT-VALUE}).")
  int maxMovesPerNode;

  @Option(names = "--range-cooldown", defaultValue = "10s",
      description = "Leave a range alone this long after it changed, except to replace a lost replica"
          + " (default: ${DEFAULT-VALUE}).")
  Duration rangeCooldown;

  @Option(names = "--split-size", defaultValue = "64MiB", converter = ByteSize.class,
      description = "Split a range once its keys and values pass this size, e.g. 64MiB, 512KiB; 0 never"
          + " (default: ${DEFAULT-VALUE}).")
  long splitSizeBytes;

  @Option(names = "--hot-range-ops", defaultValue = "3000",
      description = "Split a range whose reads plus writes per second stay at least this high for"
          + " --hot-range-window, at the median of its load, and spread the leaders of ranges with at"
          + " least half this load over the nodes; 0 never (default: ${DEFAULT-VALUE}).")
  double hotRangeOpsPerSec;

  @Option(names = "--hot-range-window", defaultValue = "30s",
      description = "How long a range must stay hot before it is split for load (default: ${DEFAULT-VALUE}).")
  Duration hotRangeWindow;

  @Option(names = "--hot-key-ops", defaultValue = "5000",
      description = "Salt a key on its own when at least this many of its operations per second are"
          + " certain for --hot-key-window (reads: read-hot, increments: counter), and unsalt it once it"
          + " stays below a fifth of that for 5 minutes; 0 salts only keys pinned with 'pando admin hotkeys"
          + " add' (default: ${DEFAULT-VALUE}).")
  double hotKeyOpsPerSec;

  @Option(names = "--hot-key-copy-ops", defaultValue = "2000",
      description = "A key the placement driver salts gets one copy per this many of its operations per"
          + " second, 2 to 16 copies (default: ${DEFAULT-VALUE}).")
  double hotKeyCopyOpsPerSec;

  @Option(names = "--hot-key-window", defaultValue = "30s",
      description = "How long a key must stay hot before it is salted (default: ${DEFAULT-VALUE}).")
  Duration hotKeyWindow;

  @Option(names = {"--http-port", "--metrics-port"}, paramLabel = "PORT",
      description = "Serve the web console at http://<--host>:PORT/ and Prometheus metrics at"
          + " http://<--host>:PORT/metrics (default: off).")
  Integer httpPort;

  @Option(names = "--parent-pid", hidden = true, description = "Exit when this process exits (used by 'pando local').")
  Long parentPid;

  private pando.pd.schedule.SchedulerConfig schedulerConfig() {
    pando.pd.schedule.SchedulerConfig d = pando.pd.schedule.SchedulerConfig.defaults();
    return new pando.pd.schedule.SchedulerConfig(replication, maxMovesPerNode, d.replicaTolerance(),
        d.leaderTolerance(), rangeCooldown, d.maxOperatorsPerRound());
  }

  /**
   * True if {@code opsPerSec}, the value of {@code option}, is 0: how that option turns its feature
   * off.
   *
   * @throws picocli.CommandLine.ParameterException naming the option if the value is negative or
   *     not finite
   */
  private boolean isOff(String option, double opsPerSec) {
    if (opsPerSec < 0 || !Double.isFinite(opsPerSec)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          option + " must be 0 (off) or a positive number of operations per second, got " + opsPerSec);
    }
    return opsPerSec == 0;
  }

  private java.util.Optional<pando.pd.hot.HotRangeConfig> hotRanges() {
    if (isOff("--hot-range-ops", hotRangeOpsPerSec)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(new pando.pd.hot.HotRangeConfig(hotRangeOpsPerSec, hotRangeWindow, 1));
  }

  private java.util.Optional<pando.pd.hot.HotKeyConfig> hotKeys() {
    if (isOff("--hot-key-ops", hotKeyOpsPerSec)) {
      return java.util.Optional.empty();
    }
    if (!(hotKeyCopyOpsPerSec > 0) || !Double.isFinite(hotKeyCopyOpsPerSec)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--hot-key-copy-ops must be a positive number of operations per second, got " + hotKeyCopyOpsPerSec);
    }
    pando.pd.hot.HotKeyConfig d = pando.pd.hot.HotKeyConfig.defaults();
    // Cool at a fifth of the hot rate, as the defaults are, so a key near the threshold does not flap.
    double coolOpsPerSec = hotKeyOpsPerSec * d.coolOpsPerSec() / d.hotKeyOpsPerSecMin();
    return java.util.Optional.of(new pando.pd.hot.HotKeyConfig(hotKeyOpsPerSec, hotKeyWindow,
        coolOpsPerSec, d.coolWindow(), hotKeyCopyOpsPerSec, d.maxSalts(), d.maxHotKeys(),
        d.readShareMin(), d.counterShareMin()));
  }

  @Override
  public Integer call() throws Exception {
    List<PdPeer> parsed = peers.stream().map(PdPeer::parse).toList();
    PdConfig config = PdConfig.of(id, host, port, parsed, dataDir)
        .withLiveness(new LivenessPolicy(heartbeatInterval, suspectAfter, downAfter))
        .withBootstrap(new PdConfig.Bootstrap(initialNodes, initialRanges, replication))
        .withScheduler(schedule ? java.util.Optional.of(schedulerConfig()) : java.util.Optional.empty())
        .withSplitSize(splitSizeBytes)
        .withHotRanges(hotRanges())
        .withHotKeys(hotKeys());
    System.err.println("pando pd starting: " + config);
    MetricsServer metrics = new MetricsServer(dataDir);
    PdServer pd = PdServer.start(config, metrics.registry());
    // The console asks this replica's Admin API; it exists only where it is served.
    Console console = httpPort == null ? null : new Console(host + ":" + port);
    if (console != null) {
      metrics.serve(host, httpPort, pd::metrics);
      console.addTo(metrics);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (console != null) {
        console.close();
      }
      pd.close();
      metrics.close();
      stopped.countDown();
    }, "pando-pd-shutdown"));
    if (parentPid != null) {
      ParentWatch.exitWhenGone(parentPid, "pando pd");
    }
    stopped.await();
    return 0;
  }

  /** A size in bytes, with an optional KiB, MiB or GiB suffix. */
  static final class ByteSize implements picocli.CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String text) {
      String t = text.trim();
      long unit = 1;
      for (String[] suffix : new String[][] {{"KiB", "1024"}, {"MiB", "1048576"}, {"GiB", "1073741824"}}) {
        if (t.endsWith(suffix[0])) {
          unit = Long.parseLong(suffix[1]);
          t = t.substring(0, t.length() - suffix[0].length()).trim();
        }
      }
      long n;
      try {
        n = Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw new picocli.CommandLine.TypeConversionException("'" + text + "' is not a size; use e.g. 64MiB, 512KiB or 1048576");
      }
      if (n < 0) {
        throw new picocli.CommandLine.TypeConversionException("a size cannot be negative: " + text);
      }
      return Math.multiplyExact(n, unit);
    }
  }
}
