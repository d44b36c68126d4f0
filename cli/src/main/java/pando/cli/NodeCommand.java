package pando.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import pando.api.RequestLimits;
import pando.api.pd.PdConnection;
import pando.node.ClusterMember;
import pando.node.NodeConfig;
import pando.node.PandoNode;
import pando.node.RangeLayout;
import pando.raft.RaftTuning;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one Pando node until it is stopped (SIGTERM or Ctrl-C).",
      "The first start in an empty data directory cuts the hash space into ranges and places them"
          + " on the members; later starts reuse the layout saved in the data directory."
    })
final class NodeCommand implements java.util.concurrent.Callable<Integer> {
  @Option(names = "--id", required = true, description = "This node's id, one of the members (e.g. n1).")
  String id;

  @Option(names = "--members", split = ",", paramLabel = "id=host:raftPort:apiPort",
      description = "Every node of the cluster. Needed on the first start only.")
  List<String> members = List.of();

  @Option(names = "--data-dir", required = true, description = "Where this node keeps its data.")
  Path dataDir;

  @Option(names = "--initial-ranges", defaultValue = "" + NodeConfig.DEFAULT_INITIAL_RANGES,
      description = "Ranges the first start creates (default: ${DEFAULT-VALUE}).")
  int initialRanges;

  @Option(names = "--replication", defaultValue = "" + NodeConfig.DEFAULT_REPLICATION,
      description = "Replicas per range: 1, 3 or 5 (default: ${DEFAULT-VALUE}).")
  int replication;

  @Option(names = "--max-value-bytes", defaultValue = "" + RequestLimits.DEFAULT_MAX_VALUE_BYTES,
      description = "Largest value accepted (default: ${DEFAULT-VALUE} = 1 MiB).")
  int maxValueBytes;

  @Option(names = "--request-timeout", defaultValue = "10s",
      description = "Longest a request may wait when its caller sets no deadline (default: ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Option(names = "--lease-reads", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Answer linearizable reads on the leader's lease (default), which assumes clocks on all"
          + " nodes run at nearly the same rate. --no-lease-reads puts every read in the Raft log instead:"
          + " no clock assumption, but each read costs as much as a write.")
  boolean leaseReads;

  @Option(names = "--pd", split = ",", paramLabel = "host:port",
      description = "The placement driver's replicas. The node registers with it and heartbeats every"
          + " --heartbeat-interval. Without it the node runs on its static layout alone.")
  List<String> pd = List.of();

  @Option(names = "--heartbeat-interval", defaultValue = "1s",
      description = "How often to heartbeat to the placement driver until it asks otherwise (default: ${DEFAULT-VALUE}).")
  Duration heartbeatInterval;

  @Option(names = "--metrics-port", paramLabel = "PORT",
      description = "Serve Prometheus metrics at http://<this node's host>:PORT/metrics (default: off).")
  Integer metricsPort;

  @Option(names = "--parent-pid", hidden = true, description = "Exit when this process exits (used by 'pando local').")
  Long parentPid;

  @Override
  public Integer call() throws Exception {
    List<ClusterMember> parsed = members.stream().map(ClusterMember::parse).toList();
    if (parsed.isEmpty()) {
      Path layout = dataDir.resolve("layout.txt");
      if (!Files.exists(layout)) {
        throw new IllegalArgumentException("the first start of a node needs --members");
      }
      parsed = RangeLayout.load(layout).members();
    }
    RequestLimits limits = new RequestLimits(maxValueBytes, RequestLimits.DEFAULT_MAX_BATCH_ENTRIES,
        Math.max(RequestLimits.DEFAULT_MAX_BATCH_BYTES, maxValueBytes));
    NodeConfig config = new NodeConfig(id, parsed, dataDir, initialRanges, replication, limits,
        requestTimeout, RaftTuning.defaults().withLeaderLeaseReads(leaseReads))
        .withPlacementDriver(pd.stream().flatMap(a -> PdConnection.parseAddresses(a).stream()).toList(),
            heartbeatInterval);
    System.err.println("pando node starting: " + config);
    MetricsServer metrics = new MetricsServer(dataDir);
    PandoNode node = PandoNode.start(config, metrics.registry());
    if (metricsPort != null) {
      metrics.serve(config.self().host(), metricsPort, node::metrics);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      metrics.close();
      stopped.countDown();
    }, "pando-shutdown"));
    if (parentPid != null) {
      ParentWatch.exitWhenGone(parentPid, "pando node");
    }
    stopped.await();
    return 0;
  }
}
