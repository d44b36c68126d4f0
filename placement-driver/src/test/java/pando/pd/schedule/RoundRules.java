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
      case BALANCE_REPLICAS ->
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

  private static boolean coolingDown(
      ClusterState state, SchedulerConfig config, long nowMs, long rangeId) {
    Long at = state.lastChangeMsPerRange().get(rangeId);
    return at != null && nowMs - at < config.rangeCooldown().toMillis();
  }
}
