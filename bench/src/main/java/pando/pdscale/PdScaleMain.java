package pando.pdscale;

import com.google.protobuf.ByteString;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import pando.api.HashRange;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeTable;
import pando.internal.v1.NodeRecord;
import pando.internal.v1.PdMetadata;
import pando.pd.SchedulerInput;
import pando.pd.hot.HotKeyConfig;
import pando.pd.hot.HotKeyDetector;
import pando.pd.hot.HotRangeConfig;
import pando.pd.hot.HotRangeDetector;
import pando.pd.hot.KeyHeatmap;
import pando.pd.hot.KeyLoads;
import pando.pd.hot.RangeLoad;
import pando.pd.hot.RangeLoads;
import pando.pd.meta.ClusterView;
import pando.pd.meta.HeartbeatBook;
import pando.pd.meta.LivenessPolicy;
import pando.pd.meta.PdState;
import pando.pd.schedule.ClusterState;
import pando.pd.schedule.Operator;
import pando.pd.schedule.Scheduler;
import pando.pd.schedule.SchedulerConfig;
import pando.v1.HeartbeatRequest;
import pando.v1.KeyLoad;
import pando.v1.NodeLoad;
import pando.v1.Range;
import pando.v1.RangeEpoch;
import pando.v1.ReplicaStats;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The placement driver's own work at a size no machine here can host: its state, heartbeat book,
 * scheduler and hot-spot detection, fed synthetic heartbeats of {@code --nodes} nodes holding
 * {@code --ranges} ranges. No network and no Raft: this measures what the PD leader computes,
 * with the same classes the PD runs, so it says what breaks first as a cluster grows.
 */
@Command(name = "pd-scale", mixinStandardHelpOptions = true,
    description = "Times the PD leader's work for a simulated cluster: heartbeats, scheduling, hot-spot rounds.")
public final class PdScaleMain implements Callable<Integer> {
  @Option(names = "--nodes", defaultValue = "1000", description = "Nodes (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--ranges", defaultValue = "1000000", description = "Ranges (default: ${DEFAULT-VALUE}).")
  int ranges;

  @Option(names = "--replication", defaultValue = "3", description = "Replicas per range (default: ${DEFAULT-VALUE}).")
  int replication;

  @Option(names = "--runs", defaultValue = "3", description = "Runs of each measurement; the median is reported (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--hot-share", defaultValue = "0.01",
      description = "Share of leaders whose heartbeat carries a load sketch of 16 keys (default: ${DEFAULT-VALUE}).")
  double hotShare;

  @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  private final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) {
    System.exit(new CommandLine(new PdScaleMain()).execute(args));
  }

  @Override
  public Integer call() {
    Random random = new Random(seed);
    System.out.printf("simulated cluster: %,d nodes, %,d ranges x %d replicas (%,d per node), JVM heap max %d MiB%n",
        nodes, ranges, replication, (long) ranges * replication / nodes, Runtime.getRuntime().maxMemory() >> 20);

    long heapBefore = usedHeap();
    long t0 = System.nanoTime();
    PdState state = PdState.fromProto(metadata());
    System.out.printf("state: built in %.1f s, %,d MiB of heap%n", (System.nanoTime() - t0) / 1e9,
        (usedHeap() - heapBefore) >> 20);
    RangeTable table = state.ranges().orElseThrow();

    List<byte[]> heartbeats = heartbeats(table, random);
    long bytes = heartbeats.stream().mapToLong(b -> b.length).sum();
    System.out.printf("heartbeats: %,d bytes each on average (%,.0f MB/s to the PD leader at one per node per second)%n",
        bytes / nodes, bytes / 1e6);

    LivenessPolicy policy = LivenessPolicy.defaults();
    long nowMs = 1_000_000;
    HeartbeatBook book = new HeartbeatBook(policy, nowMs, Math.max(HeartbeatBook.DEFAULT_MAX_REPLICAS_PER_NODE,
        ranges * replication / nodes * 2));
    long heapBeforeBook = usedHeap();
    double[] perHeartbeatCpuNs = new double[runs];
    for (int run = 0; run < runs; run++) {
      long start = cpuNow();
      for (byte[] heartbeat : heartbeats) {
        book.record(parse(heartbeat), nowMs);
      }
      perHeartbeatCpuNs[run] = (cpuNow() - start) / (double) nodes;
    }
    double heartbeatNs = median(perHeartbeatCpuNs);
    System.out.printf("heartbeat book: %,d MiB of heap for every node's last heartbeat%n",
        (usedHeap() - heapBeforeBook) >> 20);
    System.out.printf("one heartbeat (parse + record): %.2f ms of CPU; %d nodes at 1/s: %.2f cores%n",
        heartbeatNs / 1e6, nodes, heartbeatNs * nodes / 1e9);

    long evaluateAt = nowMs + 500;
    Scheduler scheduler = new Scheduler(new SchedulerConfig(replication, 2, 1, 1, Duration.ofSeconds(10), 8));
    ClusterState[] input = new ClusterState[1];
    double inputMs = timeMs(() -> input[0] = SchedulerInput.of(state, book, evaluateAt, List.of(), Map.of(), Set.of()));
    @SuppressWarnings("unchecked")
    List<Operator>[] proposed = new List[1];
    double scheduleMs = timeMs(() -> proposed[0] = scheduler.schedule(input[0], evaluateAt));
    System.out.printf("scheduling round, all nodes up: input %.0f ms + scheduler %.0f ms = %.0f ms (%d operators)%n",
        inputMs, scheduleMs, inputMs + scheduleMs, proposed[0].size());

    double perRangeHintsMs = perRangeLeaderHintsMs(table, book);
    System.out.printf("leader hints asked range by range (before this change): %.0f ms for %,d ranges (measured on 1,000, scaled)%n",
        perRangeHintsMs, ranges);

    // One node stops: its heartbeat ages past --down-after while the others go on.
    long downAt = nowMs + policy.downAfter().toMillis() + 1_000;
    for (int i = 1; i < heartbeats.size(); i++) {
      book.record(parse(heartbeats.get(i)), downAt);
    }
    ClusterState downInput = SchedulerInput.of(state, book, downAt, List.of(), Map.of(), Set.of());
    double downMs = timeMs(() -> proposed[0] = scheduler.schedule(downInput, downAt));
    System.out.printf("scheduling round, one node down: scheduler %.0f ms (%d operators; a round proposes at most %d)%n",
        downMs, proposed[0].size(), SchedulerConfig.defaults().maxOperatorsPerRound());

    HotRangeDetector rangeDetector = new HotRangeDetector(HotRangeConfig.defaults());
    HotKeyDetector keyDetector = new HotKeyDetector(HotKeyConfig.defaults());
    KeyHeatmap heatmap = new KeyHeatmap();
    List<HashRange> bounds = table.ranges().stream().map(RangeDescriptor::bounds).toList();
    long[] at = {downAt};
    double hotMs = timeMs(() -> {
      List<ReplicaStats> reports = new ArrayList<>();
      state.nodes().nodes().forEach(n -> reports.addAll(book.replicas(n.getNodeId())));
      List<RangeLoad> loads = RangeLoads.fromReports(table, reports);
      rangeDetector.observe(Map.of(), loads, at[0]);
      keyDetector.observe(HotKeyDetector.Tracking.empty(), loads, state.hotKeyTable(), at[0]);
      KeyLoads.of(loads, state.hotKeyTable());
      at[0] += KeyHeatmap.DEFAULT_SAMPLE_EVERY.toMillis();
      heatmap.offer(at[0], at[0], loads, bounds);
    });
    System.out.printf("hot-spot round (range and key detection, heatmap sample): %.0f ms%n", hotMs);

    double statusMs = timeMs(() -> {
      ClusterView.status(state, book, downAt, "pd1", "pd1");
      ClusterView.underReplicated(state, book, downAt, replication);
      ClusterView.nodes(state, book, downAt);
    });
    System.out.printf("status, under-replicated count and node list (each metrics scrape): %.0f ms%n", statusMs);
    return 0;
  }

  private PdMetadata metadata() {
    PdMetadata.Builder meta = PdMetadata.newBuilder().setNextNodeNumber(nodes + 1).setTableVersion(1);
    for (int n = 1; n <= nodes; n++) {
      meta.addNodes(NodeRecord.newBuilder().setNodeId(node(n)).setApiAddress("10.0." + n / 250 + "." + n % 250 + ":7001")
          .setRaftAddress("10.0." + n / 250 + "." + n % 250 + ":7101"));
    }
    for (int r = 0; r < ranges; r++) {
      Range.Builder range = Range.newBuilder().setRangeId(r + 1).setStart(boundary(r)).setEnd(boundary(r + 1))
          .setEpoch(RangeEpoch.newBuilder().setVersion(1).setConfVersion(1));
      for (int k = 0; k < replication; k++) {
        range.addReplicas(node(replicaNode(r, k)));
      }
      meta.addRanges(range.setLeader(node(replicaNode(r, 0))));
    }
    return meta.build();
  }

  /** floor(i * 2^64 / ranges), 0 for i == ranges (the end of the space); as HashRange.evenSplit, past its limit. */
  private long boundary(int i) {
    return java.math.BigInteger.valueOf(i).shiftLeft(64).divide(java.math.BigInteger.valueOf(ranges)).longValue();
  }

  /** The k-th replica of range r: spread so that every node holds the same number. */
  private int replicaNode(int r, int k) {
    return (int) (((long) r * replication + k) % nodes) + 1;
  }

  private static String node(int n) {
    return "n" + n;
  }

  /** Each node's heartbeat as it would arrive: its replicas' statistics, leaders with load. */
  private List<byte[]> heartbeats(RangeTable table, Random random) {
    Map<String, HeartbeatRequest.Builder> byNode = new HashMap<>();
    for (int n = 1; n <= nodes; n++) {
      byNode.put(node(n), HeartbeatRequest.newBuilder().setNodeId(node(n)).setHotKeyTableSettledVersion(0)
          .setLoad(NodeLoad.newBuilder().setRequestsPerSecond(500).setP99LatencyMs(4)));
    }
    for (RangeDescriptor range : table.ranges()) {
      for (int k = 0; k < range.replicas().size(); k++) {
        boolean leader = k == 0;
        ReplicaStats.Builder stats = ReplicaStats.newBuilder().setRangeId(range.rangeId()).setLeader(leader)
            .setKeys(500_000 + random.nextInt(100_000)).setBytes(64L << 20).setDataBytes(50L << 20)
            .setAppliedIndex(1_000_000 + random.nextInt(1000)).setStart(range.bounds().start())
            .setEnd(range.bounds().end()).setEpochVersion(1);
        if (leader) {
          stats.setReadsPerSecond(random.nextDouble() * 50).setWritesPerSecond(random.nextDouble() * 10)
              .setBytesPerSecond(random.nextDouble() * 10_000);
          if (random.nextDouble() < hotShare) {
            stats.setSketchWindowMs(1000).setSketchTotal(5000).setSketchUnseenMax(10);
            for (int key = 0; key < 16; key++) {
              stats.addTopKeys(KeyLoad.newBuilder().setKey(ByteString.copyFromUtf8("user" + random.nextInt(1 << 30)))
                  .setKeyHash(random.nextLong()).setCount(300 - key * 10).setReads(200).setWrites(90 - key * 10));
            }
          }
        }
        byNode.get(range.replicas().get(k)).addReplicas(stats);
      }
    }
    List<byte[]> out = new ArrayList<>();
    for (int n = 1; n <= nodes; n++) {
      out.add(byNode.get(node(n)).build().toByteArray());
    }
    return out;
  }

  private static HeartbeatRequest parse(byte[] heartbeat) {
    try {
      return HeartbeatRequest.parseFrom(heartbeat);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The old way: each range's hint read its replicas' whole heartbeats. Timed on 1,000 ranges, scaled up. */
  private double perRangeLeaderHintsMs(RangeTable table, HeartbeatBook book) {
    List<RangeDescriptor> sample = table.ranges().subList(0, Math.min(1000, table.size()));
    double ms = timeMs(() -> sample.forEach(r -> ClusterView.leaderHint(r, book)));
    return ms * table.size() / sample.size();
  }

  /** Median CPU time of {@code runs} runs, in milliseconds. */
  private double timeMs(Runnable body) {
    double[] ms = new double[runs];
    for (int run = 0; run < runs; run++) {
      long start = cpuNow();
      body.run();
      ms[run] = (cpuNow() - start) / 1e6;
    }
    return median(ms);
  }

  private long cpuNow() {
    return cpu.getCurrentThreadCpuTime();
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
