package pando.pd.meta;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import pando.v1.HeartbeatRequest;
import pando.v1.NodeState;
import pando.v1.ReplicaStats;

/**
 * What the PD leader has heard from each node: when its last heartbeat arrived and the replica
 * statistics it carried. This is soft state, kept only by the leader and never replicated — a new
 * leader starts with an empty book and fills it from the next round of heartbeats.
 *
 * <p>Because a new leader has heard from nobody yet, a node with no heartbeat in the book is judged
 * by the time since this replica became leader ({@code leaderSinceMs}), not reported DOWN at once:
 * after a PD failover every node gets the full {@link LivenessPolicy} grace period. Its reported
 * age is -1 ("not since this leader took over"). A node that registers with this leader is judged
 * from its registration, and has {@link #FIRST_HEARTBEAT_WITHIN_MS} to send its first heartbeat.
 *
 * <p>Memory is bounded per node: of each heartbeat, the statistics of at most {@code
 * maxReplicasPerNode} replicas are kept (the first ones, in the order the node sent them, and
 * of a range listed twice only its first entry); the rest are dropped, and counts derived from the
 * book count only what was kept. The book does not
 * know which nodes are registered; callers {@link #forget} removed nodes.
 *
 * <p>Thread-safe: every method is synchronized, and returned lists are immutable. Times are
 * milliseconds passed in by the caller, best from a monotonic clock; the book never reads one.
 */
public final class HeartbeatBook {
  /**
   * How long a node that registered with this leader may take to send its first heartbeat before
   * it counts as DOWN (SUSPECT meanwhile, once {@link LivenessPolicy#suspectAfter} passed): a node
   * opens all its replicas before it heartbeats, which takes a while on a loaded machine, and must
   * not get its replicas moved away for it.
   */
  public static final long FIRST_HEARTBEAT_WITHIN_MS = 30_000;

  /** The default bound on replica statistics kept per node. */
  public static final int DEFAULT_MAX_REPLICAS_PER_NODE = 100_000;

  private final LivenessPolicy policy;
  private final long leaderSinceMs;
  private final int maxReplicasPerNode;
  private final Map<String, Heard> byNode = new HashMap<>();
  // Nodes that registered with this leader and have not heartbeated since: when they registered.
  private final Map<String, Long> registeredAtMs = new HashMap<>();

  private record Heard(long atMs, List<ReplicaStats> replicas, long hotKeyTableSettled, pando.v1.NodeLoad load) {}

  /**
   * A book for a replica that became leader at {@code leaderSinceMs}, keeping statistics of at most
   * {@value #DEFAULT_MAX_REPLICAS_PER_NODE} replicas per node.
   */
  public HeartbeatBook(LivenessPolicy policy, long leaderSinceMs) {
    this(policy, leaderSinceMs, DEFAULT_MAX_REPLICAS_PER_NODE);
  }

  /**
   * A book for a replica that became leader at {@code leaderSinceMs}, keeping statistics of at most
   * {@code maxReplicasPerNode} replicas per node.
   */
  public HeartbeatBook(LivenessPolicy policy, long leaderSinceMs, int maxReplicasPerNode) {
    if (maxReplicasPerNode < 0) {
      throw new IllegalArgumentException(
          "maxReplicasPerNode must be 0 or more, got " + maxReplicasPerNode);
    }
    this.policy = Objects.requireNonNull(policy, "policy");
    this.leaderSinceMs = leaderSinceMs;
    this.maxReplicasPerNode = maxReplicasPerNode;
  }

  public LivenessPolicy policy() {
    return policy;
  }

  /**
   * Notes a heartbeat received at {@code nowMs}; its replica list replaces the node's previous one.
   *
   * @throws IllegalArgumentException if the heartbeat names no node
   */
  public synchronized void record(HeartbeatRequest heartbeat, long nowMs) {
    if (heartbeat.getNodeId().isEmpty()) {
      throw new IllegalArgumentException("heartbeat without a node id");
    }
    // A range listed twice keeps its first entry, so every reader of the book sees one per range.
    List<ReplicaStats> replicas = new java.util.ArrayList<>(Math.min(heartbeat.getReplicasCount(), maxReplicasPerNode));
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (ReplicaStats replica : heartbeat.getReplicasList()) {
      if (replicas.size() == maxReplicasPerNode) {
        break;
      }
      if (seen.add(replica.getRangeId())) {
        replicas.add(replica);
      }
    }
    byNode.put(heartbeat.getNodeId(), new Heard(nowMs, java.util.Collections.unmodifiableList(replicas),
        heartbeat.getHotKeyTableSettledVersion(), heartbeat.getLoad()));
    registeredAtMs.remove(heartbeat.getNodeId());
  }

  /** Notes that the node registered at {@code nowMs}: it has until its first heartbeat is due. */
  public synchronized void registered(String nodeId, long nowMs) {
    if (!byNode.containsKey(nodeId)) {
      registeredAtMs.put(nodeId, nowMs);
    }
  }

  /**
   * The node's liveness at {@code nowMs}: by the age of its last heartbeat, or, if none arrived
   * since this replica became leader, by the time since then.
   */
  public synchronized NodeState state(String nodeId, long nowMs) {
    Heard heard = byNode.get(nodeId);
    Long registered = registeredAtMs.get(nodeId);
    if (heard == null && registered != null) {
      long waitingMs = nowMs - registered;
      return waitingMs <= policy.suspectAfter().toMillis() ? NodeState.UP
          : waitingMs <= Math.max(FIRST_HEARTBEAT_WITHIN_MS, policy.downAfter().toMillis()) ? NodeState.SUSPECT
          : NodeState.DOWN;
    }
    long silentSinceMs = heard == null ? leaderSinceMs : heard.atMs();
    return policy.stateOf(nowMs - silentSinceMs);
  }

  /**
   * Milliseconds since the node's last heartbeat, at least 0; -1 if none arrived since this
   * replica became leader.
   */
  public synchronized long ageMs(String nodeId, long nowMs) {
    Heard heard = byNode.get(nodeId);
    // Clamped so that a clock step backwards cannot produce -1, which means "never".
    return heard == null ? -1 : Math.max(0, nowMs - heard.atMs());
  }

  /** The data requests the node answered over the interval before its last heartbeat; zeros if none. */
  public synchronized pando.v1.NodeLoad load(String nodeId) {
    Heard heard = byNode.get(nodeId);
    return heard == null ? pando.v1.NodeLoad.getDefaultInstance() : heard.load();
  }

  /** The replica statistics of the node's last heartbeat (at most the bound); empty if none. */
  public synchronized List<ReplicaStats> replicas(String nodeId) {
    Heard heard = byNode.get(nodeId);
    return heard == null ? List.of() : heard.replicas();
  }

  /**
   * The hot-key table version the node last said it has settled on (no request of an older version
   * still running); -1 if it has not reported since this replica became leader.
   */
  public synchronized long hotKeyTableSettled(String nodeId) {
    Heard heard = byNode.get(nodeId);
    return heard == null ? -1 : heard.hotKeyTableSettled();
  }

  /** Drops everything heard from the node; it is then judged as if never heard from. */
  public synchronized void forget(String nodeId) {
    byNode.remove(nodeId);
    registeredAtMs.remove(nodeId);
  }
}
