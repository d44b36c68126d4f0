package pando.pd.meta;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeProtos;
import pando.api.range.RangeTable;
import pando.internal.v1.NodeRecord;
import pando.v1.ListRangesResponse;
import pando.v1.NodeAddress;
import pando.v1.NodeInfo;
import pando.v1.RangeInfo;
import pando.v1.RangeTableResponse;
import pando.v1.ReplicaInfo;
import pando.v1.ReplicaStats;
import pando.v1.StatusResponse;

/**
 * The Admin service's answers, computed from the durable registry and the leader's heartbeat
 * book. Pure functions: the same inputs give the same answers.
 *
 * <p>The registry decides which nodes exist; heartbeats from unregistered nodes are not shown, and
 * a registered node never heard from is shown with the state the book gives it and age -1.
 *
 * <p>The range table decides which ranges exist and where their replicas are; heartbeats add only
 * the leader hint and the replica statistics. A node's report about a range the table does not
 * place on it is not shown. If a heartbeat lists one range twice, the first entry counts. Each
 * answer reads a node's reported replicas once, so the leader hint and the replica statistics of
 * one answer come from the same heartbeat.
 */
public final class ClusterView {
  private ClusterView() {}

  /** One {@link NodeInfo} per registered node, sorted by node id. */
  public static List<NodeInfo> nodes(NodeRegistry registry, HeartbeatBook book, long nowMs) {
    return registry.nodes().stream().map(node -> nodeInfo(node, book, nowMs)).toList();
  }

  /** One {@link NodeInfo} per node registered in the state, sorted by node id. */
  public static List<NodeInfo> nodes(PdState state, HeartbeatBook book, long nowMs) {
    // One pass over the table: asking node by node would read the whole table for each node.
    Map<String, Integer> inTable = new HashMap<>();
    state.ranges().ifPresent(t -> t.ranges().forEach(r -> r.replicas().forEach(n -> inTable.merge(n, 1, Integer::sum))));
    return nodes(state.nodes(), book, nowMs).stream()
        .map(n -> n.toBuilder()
            .setDraining(state.nodes().node(n.getNodeId()).map(NodeRecord::getDraining).orElse(false))
            .setReplicasInTable(inTable.getOrDefault(n.getNodeId(), 0))
            .build())
        .toList();
  }

  /** Ranges with fewer than {@code replication} replicas on nodes that are UP. */
  public static int underReplicated(PdState state, HeartbeatBook book, long nowMs, int replication) {
    java.util.Set<String> up = new java.util.HashSet<>();
    state.nodes().nodes().forEach(n -> {
      if (book.state(n.getNodeId(), nowMs) == pando.v1.NodeState.UP) {
        up.add(n.getNodeId());
      }
    });
    return (int) state.ranges().map(t -> t.ranges().stream()
            .filter(r -> r.replicas().stream().filter(up::contains).count() < replication)
            .count())
        .orElse(0L).longValue();
  }

  /**
   * The cluster at a glance: which PD replica answers, who leads the PD, how many registered nodes
   * are in each state, and the number of ranges in the table (0 before the bootstrap).
   */
  public static StatusResponse status(
      PdState state, HeartbeatBook book, long nowMs, String pdReplicaId, String pdLeaderId) {
    int ranges = state.ranges().map(RangeTable::size).orElse(0);
    return status(state.nodes(), book, nowMs, pdReplicaId, pdLeaderId, ranges);
  }

  /**
   * The cluster at a glance: which PD replica answers, who leads the PD, how many registered
   * nodes are in each state, and the number of ranges.
   */
  public static StatusResponse status(
      NodeRegistry registry,
      HeartbeatBook book,
      long nowMs,
      String pdReplicaId,
      String pdLeaderId,
      int ranges) {
    int up = 0;
    int suspect = 0;
    int down = 0;
    for (NodeRecord node : registry.nodes()) {
      switch (book.state(node.getNodeId(), nowMs)) {
        case UP -> up++;
        case SUSPECT -> suspect++;
        case DOWN -> down++;
        default -> throw new AssertionError("LivenessPolicy gave an unknown state");
      }
    }
    return StatusResponse.newBuilder()
        .setPdReplicaId(pdReplicaId)
        .setPdLeaderId(pdLeaderId)
        .setNodesUp(up)
        .setNodesSuspect(suspect)
        .setNodesDown(down)
        .setRanges(ranges)
        .build();
  }

  /**
   * The range table for routers: whether the cluster is bootstrapped, every range sorted by start
   * with its {@linkplain #leaderHint leader hint}, and the addresses of every registered node,
   * sorted by id (also before the bootstrap, when there are no ranges).
   */
  public static RangeTableResponse rangeTable(PdState state, HeartbeatBook book) {
    RangeTableResponse.Builder response =
        RangeTableResponse.newBuilder().setBootstrapped(state.bootstrapped())
            .setTableVersion(state.tableVersion());
    state.ranges().ifPresent(table -> {
      Reports reports = Reports.of(table.ranges(), book);
      for (RangeDescriptor range : table.ranges()) {
        response.addRanges(withLeaderHint(range, reports));
      }
    });
    for (NodeRecord node : state.nodes().nodes()) {
      response.addNodes(
          NodeAddress.newBuilder()
              .setNodeId(node.getNodeId())
              .setApiAddress(node.getApiAddress())
              .setRaftAddress(node.getRaftAddress()));
    }
    return response.build();
  }

  /**
   * Every range, sorted by start, with its leader hint and one {@link ReplicaInfo} per replica in
   * the table's order; no ranges before the bootstrap.
   */
  public static ListRangesResponse ranges(PdState state, HeartbeatBook book, long nowMs) {
    ListRangesResponse.Builder response =
        ListRangesResponse.newBuilder().setBootstrapped(state.bootstrapped());
    state.ranges().ifPresent(table -> {
      Reports reports = Reports.of(table.ranges(), book);
      for (RangeDescriptor range : table.ranges()) {
        response.addRanges(rangeInfo(range, reports, book, nowMs));
      }
    });
    return response.build();
  }

  /** One range as {@link #ranges} shows it; empty if the table has no such range. */
  public static Optional<RangeInfo> range(
      PdState state, HeartbeatBook book, long nowMs, long rangeId) {
    return state.ranges()
        .flatMap(table -> table.byId(rangeId))
        .map(range -> rangeInfo(range, Reports.of(List.of(range), book), book, nowMs));
  }

  /**
   * The replica believed to lead the range: one whose node's latest heartbeat reports the range
   * with {@code leader} set. If several do — an old leader that has not yet heard of its successor
   * still claims the range — the one reporting the highest applied index wins (the successor has
   * committed entries the old leader has not applied), and among equal indexes the lowest node id,
   * so the answer does not depend on heartbeat order. Empty if no replica claims the range.
   * Claims by nodes that are not replicas of the range in the table are ignored.
   */
  public static Optional<String> leaderHint(RangeDescriptor range, HeartbeatBook book) {
    return leaderHint(range, Reports.of(List.of(range), book));
  }

  /**
   * Every range with its leader hint (see {@link #leaderHint}), reading each node's heartbeat
   * once: asking range by range reads a node's whole heartbeat per range, which grows with the
   * square of the ranges.
   */
  public static List<RangeDescriptor> withLeaderHints(Collection<RangeDescriptor> ranges, HeartbeatBook book) {
    // Only leaders' reports matter: gather them in one pass, then judge each range's claims.
    java.util.Set<String> holders = new java.util.TreeSet<>();
    ranges.forEach(r -> holders.addAll(r.replicas()));
    Map<Long, List<ReplicaClaim>> claims = new HashMap<>();
    for (String node : holders) {
      for (ReplicaStats stats : book.replicas(node)) {
        if (stats.getLeader()) {
          claims.computeIfAbsent(stats.getRangeId(), id -> new java.util.ArrayList<>(1))
              .add(new ReplicaClaim(node, stats.getAppliedIndex()));
        }
      }
    }
    return ranges.stream().map(r -> r.withLeader(claims.getOrDefault(r.rangeId(), List.of()).stream()
            .filter(c -> r.replicas().contains(c.node()))
            .min(CLAIM_ORDER)
            .map(ReplicaClaim::node)))
        .toList();
  }

  /** A replica's report that it leads its range, at its applied index. */
  private record ReplicaClaim(String node, long appliedIndex) {}

  // The claim with the highest applied index wins (a deposed leader that has not heard yet is
  // behind), then the lowest node id, as in leaderHint.
  private static final Comparator<ReplicaClaim> CLAIM_ORDER =
      Comparator.comparingLong(ReplicaClaim::appliedIndex).reversed().thenComparing(ReplicaClaim::node);

  private static Optional<String> leaderHint(RangeDescriptor range, Reports reports) {
    return range.replicas().stream()
        .flatMap(node -> reports.of(node, range.rangeId())
            .filter(ReplicaStats::getLeader)
            .map(stats -> new ReplicaClaim(node, stats.getAppliedIndex()))
            .stream())
        .min(CLAIM_ORDER)
        .map(ReplicaClaim::node);
  }

  private static pando.v1.Range withLeaderHint(RangeDescriptor range, Reports reports) {
    return RangeProtos.toProto(range.withLeader(leaderHint(range, reports)));
  }

  private static RangeInfo rangeInfo(
      RangeDescriptor range, Reports reports, HeartbeatBook book, long nowMs) {
    RangeInfo.Builder info = RangeInfo.newBuilder().setRange(withLeaderHint(range, reports));
    for (String node : range.replicas()) {
      ReplicaInfo.Builder replica = ReplicaInfo.newBuilder()
          .setNodeId(node)
          .setNodeState(book.state(node, nowMs));
      reports.of(node, range.rangeId()).ifPresent(stats -> replica
          .setReported(true)
          .setLeader(stats.getLeader())
          .setKeys(stats.getKeys())
          .setBytes(stats.getBytes())
          .setAppliedIndex(stats.getAppliedIndex())
          .setReadsPerSecond(stats.getReadsPerSecond())
          .setWritesPerSecond(stats.getWritesPerSecond()));
      info.addReplicas(replica);
    }
    return info.build();
  }

  /** The latest heartbeat of each node holding one of some ranges, indexed by range id. */
  private static final class Reports {
    private final Map<String, Map<Long, ReplicaStats>> byNode;

    private Reports(Map<String, Map<Long, ReplicaStats>> byNode) {
      this.byNode = byNode;
    }

    /** Reads the heartbeat of every node holding a replica of the ranges, once. */
    static Reports of(Collection<RangeDescriptor> ranges, HeartbeatBook book) {
      Map<String, Map<Long, ReplicaStats>> byNode = new HashMap<>();
      for (RangeDescriptor range : ranges) {
        for (String node : range.replicas()) {
          byNode.computeIfAbsent(node, id -> {
            Map<Long, ReplicaStats> byRange = new HashMap<>();
            for (ReplicaStats stats : book.replicas(id)) {
              byRange.putIfAbsent(stats.getRangeId(), stats);
            }
            return byRange;
          });
        }
      }
      return new Reports(byNode);
    }

    /** What the node's latest heartbeat says about the range, if it lists it. */
    Optional<ReplicaStats> of(String node, long rangeId) {
      return Optional.ofNullable(byNode.getOrDefault(node, Map.of()).get(rangeId));
    }
  }

  private static NodeInfo nodeInfo(NodeRecord node, HeartbeatBook book, long nowMs) {
    String id = node.getNodeId();
    List<ReplicaStats> replicas = book.replicas(id);
    pando.v1.NodeLoad load = book.load(id);
    int leaders = 0;
    long keys = 0;
    long bytes = 0;
    for (ReplicaStats replica : replicas) {
      leaders += replica.getLeader() ? 1 : 0;
      keys += replica.getKeys();
      bytes += replica.getBytes();
    }
    return NodeInfo.newBuilder()
        .setNodeId(id)
        .setApiAddress(node.getApiAddress())
        .setRaftAddress(node.getRaftAddress())
        .setState(book.state(id, nowMs))
        .setCapacityBytes(node.getCapacityBytes())
        .setLastHeartbeatAgeMs(book.ageMs(id, nowMs))
        .setReplicas(replicas.size())
        .setLeaders(leaders)
        .setKeys(keys)
        .setBytes(bytes)
        .setRequestsPerSecond(load.getRequestsPerSecond())
        .setP99LatencyMs(load.getP99LatencyMs())
        .build();
  }
}
