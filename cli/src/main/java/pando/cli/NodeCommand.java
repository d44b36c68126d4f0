package pando.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import pando.api.RequestLimits;
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
        requestTimeout, RaftTuning.defaults().withLeaderLeaseReads(leaseReads));
    System.err.println("pando node starting: " + config);
    PandoNode node = PandoNode.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      node.close();
      stopped.countDown();
    }, "pando-shutdown"));
    if (parentPid != null) {
      exitWithParent(parentPid);
    }
    stopped.await();
    return 0;
  }

  /** A node started by 'pando local' must not outlive it, even if it was killed with -9. */
  private static void exitWithParent(long pid) {
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "parent-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.scheduleWithFixedDelay(() -> {
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return;
      }
      System.err.println("pando node: parent process " + pid + " is gone; stopping");
      System.exit(0);
    }, 1, 1, TimeUnit.SECONDS);
  }
}
