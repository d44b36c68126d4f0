package pando.pd.schedule;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;

/**
 * The cluster as it will be once every operator applied to this projection has completed: each
 * range's replicas and leader hint, the per-node counts derived from them, the moves each node
 * takes part in and the ranges that already have an operator.
 *
 * <p>Built from a {@link ClusterState} with its in-flight operators applied, then updated by the
 * scheduler with each operator it proposes, so later decisions of a round see earlier ones.
 * Applying is lenient, because an in-flight operator may already be partly or wholly visible in
 * the table: a move removes {@code from} if present and adds {@code to} if absent; a move that
 * removes the leader leaves the range without a leader hint; a transfer to a node that is not a
 * replica changes no leader. Mutable and not thread-safe: one per round.
 */
final class Projection {
  private final Map<String, NodeStatus> nodes = new TreeMap<>();
  // Per range; sized for the table up front: a round builds these for every range, twice.
  private final Map<Long, Epoch> epochs;
  private final Map<Long, List<String>> replicas;
  private final Map<Long, String> leaders;
  private final ClusterState state;
  private final Set<Long> busy = new HashSet<>();
  private final Map<String, SortedSet<Long>> rangesByNode = new HashMap<>();
  private final Map<String, Integer> leaderCount = new HashMap<>();
  private final Map<String, Long> byteCount = new HashMap<>();
  private final Map<String, Integer> moveCount = new HashMap<>();

  private Projection(ClusterState state) {
    this.state = state;
    int capacity = (int) Math.min(1 << 30, state.ranges().size() * 4L / 3 + 1);
    this.epochs = new HashMap<>(capacity);
    this.replicas = new HashMap<>(capacity);
    this.leaders = new HashMap<>(capacity);
    state.nodes().forEach(node -> nodes.put(node.id(), node));
    for (RangeDescriptor range : state.ranges()) {
      long id = range.rangeId();
      epochs.put(id, range.epoch());
      replicas.put(id, new ArrayList<>());
      range.replicas().forEach(node -> addReplica(id, node));
      range.leader().ifPresent(node -> setLeader(id, node));
    }
  }

  /** The state's table as it is, ignoring the in-flight operators. */
  static Projection ofTable(ClusterState state) {
    return new Projection(state);
  }

  /** The state's table with its in-flight operators applied. */
  static Projection of(ClusterState state) {
    Projection projection = new Projection(state);
    state.inFlight().forEach(projection::apply);
    return projection;
  }

  /**
   * Applies the operator: marks its range busy, counts the move against its nodes (the source only
   * if it is not DOWN) and updates replicas, leader and counts as described on the class.
   */
  void apply(Operator operator) {
    long id = operator.rangeId();
    busy.add(id);
    if (operator instanceof Operator.MoveReplica move) {
      moveCount.merge(move.to(), 1, Integer::sum);
      if (!isDown(move.from())) {
        moveCount.merge(move.from(), 1, Integer::sum);
      }
      if (replicas.containsKey(id)) {
        removeReplica(id, move.from());
        if (!replicas.get(id).contains(move.to())) {
          addReplica(id, move.to());
        }
      }
    } else if (operator instanceof Operator.TransferLeader transfer) {
      if (replicas.containsKey(id) && replicas.get(id).contains(transfer.to())) {
        clearLeader(id);
        setLeader(id, transfer.to());
      }
    }
  }

  /** Every node, sorted by id. */
  Collection<NodeStatus> nodes() {
    return nodes.values();
  }

  Optional<NodeStatus> node(String id) {
    return Optional.ofNullable(nodes.get(id));
  }

  Epoch epochOf(long rangeId) {
    return epochs.get(rangeId);
  }

  /** The range's replicas, as projected; a read-only view. */
  List<String> replicasOf(long rangeId) {
    return Collections.unmodifiableList(replicas.get(rangeId));
  }

  Optional<String> leaderOf(long rangeId) {
    return Optional.ofNullable(leaders.get(rangeId));
  }

  /** True if the range has an operator, in flight or proposed this round. */
  boolean busy(long rangeId) {
    return busy.contains(rangeId);
  }

  /** The number of the range's replicas on UP nodes. */
  int upReplicas(long rangeId) {
    return (int) replicas.get(rangeId).stream().filter(this::isUp).count();
  }

  private boolean isUp(String node) {
    NodeStatus status = nodes.get(node);
    return status != null && status.isUp();
  }

  /** The ids of the ranges with a replica on the node, ascending; a copy. */
  List<Long> rangesOn(String node) {
    return List.copyOf(rangesByNode.getOrDefault(node, Collections.emptySortedSet()));
  }

  /** The ids of the ranges the node leads, ascending; a copy. */
  List<Long> rangesLedBy(String node) {
    return rangesOn(node).stream().filter(id -> node.equals(leaders.get(id))).toList();
  }

  int replicas(String node) {
    return rangesByNode.getOrDefault(node, Collections.emptySortedSet()).size();
  }

  int leaders(String node) {
    return leaderCount.getOrDefault(node, 0);
  }

  long bytes(String node) {
    return byteCount.getOrDefault(node, 0L);
  }

  /** The moves, in flight or proposed, in which the node counts as source or target. */
  int moves(String node) {
    return moveCount.getOrDefault(node, 0);
  }

  private boolean isDown(String node) {
    // A node no longer listed holds nothing to copy from, like a DOWN one.
    NodeStatus status = nodes.get(node);
    return status == null || status.isDown();
  }

  private void addReplica(long rangeId, String node) {
    replicas.get(rangeId).add(node);
    rangesByNode.computeIfAbsent(node, n -> new TreeSet<>()).add(rangeId);
    byteCount.merge(node, state.bytesOf(rangeId), Long::sum);
  }

  private void removeReplica(long rangeId, String node) {
    if (!replicas.get(rangeId).remove(node)) {
      return;
    }
    rangesByNode.get(node).remove(rangeId);
    byteCount.merge(node, -state.bytesOf(rangeId), Long::sum);
    if (node.equals(leaders.get(rangeId))) {
      clearLeader(rangeId);
    }
  }

  private void setLeader(long rangeId, String node) {
    leaders.put(rangeId, node);
    leaderCount.merge(node, 1, Integer::sum);
  }

  private void clearLeader(long rangeId) {
    String old = leaders.remove(rangeId);
    if (old != null) {
      leaderCount.merge(old, -1, Integer::sum);
    }
  }
}
