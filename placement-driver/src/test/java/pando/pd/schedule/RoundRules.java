package pando.pd.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import pando.api.range.RangeDescriptor;

/**
 * The scheduler's per-round rules, checked from the outside: written against the state and the
 * operators only, not the scheduler's own bookkeeping, so a bug there cannot hide itself.
 */
final class RoundRules {
  private RoundRules() {}

  static void check(
      ClusterState state, SchedulerConfig config, long nowMs, List<Operator> operators) {
    assertTrue(
        operators.size() <= config.maxOperatorsPerRound(), () -> "too many: " + operators);
    Map<String, NodeStatus> nodes = new HashMap<>();
    state.nodes().forEach(node -> nodes.put(node.id(), node));
    Map<Long, RangeDescriptor> ranges = new HashMap<>();
    state.ranges().forEach(range -> ranges.put(range.rangeId(), range));
    Set<Long> touched = new HashSet<>();
    state.inFlight().forEach(op -> touched.add(op.rangeId()));
    for (Operator op : operators) {
      assertTrue(touched.add(op.rangeId()), () -> "range already has an operator: " + op);
      RangeDescriptor range = ranges.get(op.rangeId());
      assertEquals(range.epoch(), op.epoch(), () -> "epoch: " + op);
      NodeStatus to = nodes.get(op.to());
      assertTrue(to.isUp() && !to.draining(), () -> "target does not accept work: " + op);
      if (op.reason() != Operator.Reason.REPLACE_DOWN) {
        assertFalse(coolingDown(state, config, nowMs, op.rangeId()), () -> "cooling: " + op);
      }
      if (op instanceof Operator.MoveReplica) {
        checkMove(range, nodes, op);
      } else {
        assertEquals(range.leader(), Optional.of(op.from()), () -> "not from the leader: " + op);
        assertTrue(range.replicas().contains(op.to()), () -> "not to a replica: " + op);
      }
    }
    checkMoveLimits(state, config, nodes, operators);
    checkByteMoves(state, config, nodes, operators);
  }

  private static void checkMove(
      RangeDescriptor range, Map<String, NodeStatus> nodes, Operator op) {
    assertTrue(range.replicas().contains(op.from()), () -> "source holds no replica: " + op);
    assertFalse(range.replicas().contains(op.to()), () -> "target holds a replica: " + op);
    long up = range.replicas().stream().filter(id -> nodes.get(id).isUp()).count();
    assertTrue(2 * up > range.replicas().size(), () -> "no UP majority: " + op);
    NodeStatus from = nodes.get(op.from());
    switch (op.reason()) {
      case REPLACE_DOWN -> assertTrue(from.isDown(), () -> "source not DOWN: " + op);
      case DRAIN -> assertTrue(from.draining() && !from.isDown(), () -> "not draining: " + op);
      case BALANCE_REPLICAS, BALANCE_BYTES ->
          assertTrue(from.isUp() && !from.draining(), () -> "source not balanced: " + op);
      case BALANCE_LEADERS -> throw new AssertionError("a move for leader balance: " + op);
    }
  }

  /** New moves never take a node past the limit; a DOWN source does not count. */
  private static void checkMoveLimits(
      ClusterState state,
      SchedulerConfig config,
      Map<String, NodeStatus> nodes,
      List<Operator> operators) {
    Map<String, Integer> moves = new HashMap<>();
    state.inFlight().forEach(op -> countMove(moves, nodes, op));
    operators.forEach(op -> countMove(moves, nodes, op));
    Set<String> involved = new HashSet<>();
    for (Operator op : operators) {
      if (op instanceof Operator.MoveReplica) {
        involved.add(op.to());
        involved.add(op.from());
      }
    }
    for (String node : involved) {
      NodeStatus status = nodes.get(node);
      if (!status.isDown()) {
        assertTrue(
            moves.get(node) <= config.maxMovesPerNode(),
            () -> node + " in " + moves.get(node) + " moves: " + operators);
      }
    }
  }

  private static void countMove(
      Map<String, Integer> moves, Map<String, NodeStatus> nodes, Operator op) {
    if (op instanceof Operator.MoveReplica) {
      moves.merge(op.to(), 1, Integer::sum);
      NodeStatus from = nodes.get(op.from());
      if (from != null && !from.isDown()) {
        moves.merge(op.from(), 1, Integer::sum);
      }
    }
  }

  /**
   * Each byte balancing move, against the cluster as it will be once the operators in flight and
   * the earlier ones of the round have completed (a move drops {@code from} and adds {@code to},
   * whatever part of it the table already shows): it goes from the heaviest to the lightest node
   * that accepts work and has moves left, their gap exceeds both floors of the config, the source
   * holds more replicas than the target, the range's size narrows the gap, and the spread of bytes
   * over the nodes that accept work does not grow.
   */
  private static void checkByteMoves(
      ClusterState state,
      SchedulerConfig config,
      Map<String, NodeStatus> nodes,
      List<Operator> operators) {
    Map<Long, Set<String>> replicas = new HashMap<>();
    state.ranges().forEach(range -> replicas.put(range.rangeId(), new HashSet<>(range.replicas())));
    Map<String, Integer> moves = new HashMap<>();
    for (Operator op : state.inFlight()) {
      applyMove(replicas, op);
      countMove(moves, nodes, op);
    }
    for (Operator op : operators) {
      if (op.reason() == Operator.Reason.BALANCE_BYTES) {
        checkByteMove(state, config, nodes, replicas, moves, op);
      }
      applyMove(replicas, op);
      countMove(moves, nodes, op);
    }
  }

  private static void checkByteMove(
      ClusterState state,
      SchedulerConfig config,
      Map<String, NodeStatus> nodes,
      Map<Long, Set<String>> replicas,
      Map<String, Integer> moves,
      Operator op) {
    Map<String, Long> bytes = new HashMap<>();
    Map<String, Integer> counts = new HashMap<>();
    nodes.keySet().forEach(node -> {
      bytes.put(node, 0L);
      counts.put(node, 0);
    });
    replicas.forEach((rangeId, holders) -> holders.forEach(node -> {
      bytes.merge(node, state.bytesOf(rangeId), Long::sum);
      counts.merge(node, 1, Integer::sum);
    }));
    List<String> workers =
        nodes.values().stream().filter(n -> n.isUp() && !n.draining()).map(NodeStatus::id).toList();
    for (String node : workers) {
      if (moves.getOrDefault(node, 0) < config.maxMovesPerNode()) {
        assertTrue(
            firstOf(bytes.get(op.from()), op.from(), bytes.get(node), node),
            () -> node + " is heavier: " + op + bytes);
        assertTrue(
            firstOf(-bytes.get(op.to()), op.to(), -bytes.get(node), node),
            () -> node + " is lighter: " + op + bytes);
      }
    }
    long gap = bytes.get(op.from()) - bytes.get(op.to());
    double meanBytes = workers.stream().mapToLong(bytes::get).average().orElse(0);
    assertTrue(gap > config.minBytesGap(), () -> "gap under the floor: " + op + bytes);
    assertTrue(gap > config.bytesTolerance() * meanBytes, () -> "gap tolerated: " + op + bytes);
    assertTrue(
        counts.get(op.from()) > counts.get(op.to()), () -> "replica counts: " + op + counts);
    long size = state.bytesOf(op.rangeId());
    long gapAfter = Math.abs((bytes.get(op.from()) - size) - (bytes.get(op.to()) + size));
    assertTrue(size > 0 && gapAfter < gap, () -> "gap not narrowed: " + op + bytes);
    long spreadBefore = spread(workers, bytes);
    bytes.merge(op.from(), -size, Long::sum);
    bytes.merge(op.to(), size, Long::sum);
    long spreadAfter = spread(workers, bytes);
    assertTrue(
        spreadAfter <= spreadBefore,
        () -> "widens the spread from " + spreadBefore + " to " + spreadAfter + ": " + op);
  }

  private static long spread(List<String> nodes, Map<String, Long> bytes) {
    long max = nodes.stream().mapToLong(bytes::get).max().orElse(0);
    long min = nodes.stream().mapToLong(bytes::get).min().orElse(0);
    return max - min;
  }

  /** True if node {@code a} comes no later than {@code b} by value, largest first, then by id. */
  private static boolean firstOf(long aValue, String a, long bValue, String b) {
    return aValue > bValue || (aValue == bValue && a.compareTo(b) <= 0);
  }

  private static void applyMove(Map<Long, Set<String>> replicas, Operator op) {
    Set<String> holders = replicas.get(op.rangeId());
    if (op instanceof Operator.MoveReplica && holders != null) {
      holders.remove(op.from());
      holders.add(op.to());
    }
  }

  private static boolean coolingDown(
      ClusterState state, SchedulerConfig config, long nowMs, long rangeId) {
    Long at = state.lastChangeMsPerRange().get(rangeId);
    return at != null && nowMs - at < config.rangeCooldown().toMillis();
  }
}
