package pando.pd.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pando.api.range.RangeDescriptor;

/**
 * Plays operators onto a {@link ClusterState} as a perfect executor would, so tests can run the
 * scheduler round after round.
 */
final class Simulation {
  private Simulation() {}

  /**
   * The state once the operators have completed at {@code nowMs}: a move puts {@code to} in the
   * place of {@code from} in the replica list and bumps the confVersion (if it removed the leader,
   * the first remaining UP replica is elected, as Raft would elect someone); a transfer sets the
   * leader. Changed ranges get {@code nowMs} as their last change; the operators leave the
   * in-flight list if they were in it. Fails the test if an operator carries a stale epoch or does
   * not fit the range.
   */
  static ClusterState apply(ClusterState state, List<Operator> operators, long nowMs) {
    Map<Long, RangeDescriptor> ranges = new HashMap<>();
    state.ranges().forEach(range -> ranges.put(range.rangeId(), range));
    Map<Long, Long> lastChange = new HashMap<>(state.lastChangeMsPerRange());
    for (Operator operator : operators) {
      RangeDescriptor range = ranges.get(operator.rangeId());
      assertEquals(range.epoch(), operator.epoch(), () -> "stale epoch in " + operator);
      ranges.put(range.rangeId(), applyTo(state, range, operator));
      lastChange.put(range.rangeId(), nowMs);
    }
    List<Operator> inFlight = new ArrayList<>(state.inFlight());
    inFlight.removeAll(operators);
    List<RangeDescriptor> sorted =
        ranges.values().stream()
            .sorted(Comparator.comparingLong(RangeDescriptor::rangeId))
            .toList();
    return new ClusterState(sorted, state.bytesPerRange(), state.nodes(), inFlight, lastChange);
  }

  private static RangeDescriptor applyTo(
      ClusterState state, RangeDescriptor range, Operator operator) {
    List<String> replicas = new ArrayList<>(range.replicas());
    if (operator instanceof Operator.TransferLeader transfer) {
      assertEquals(
          range.leader(), Optional.of(transfer.from()), () -> "not the leader: " + operator);
      assertTrue(replicas.contains(transfer.to()), () -> "not a replica: " + operator);
      return range.withLeader(Optional.of(transfer.to()));
    }
    int at = replicas.indexOf(operator.from());
    assertTrue(at >= 0, () -> "not a replica: " + operator);
    assertTrue(!replicas.contains(operator.to()), () -> "already a replica: " + operator);
    replicas.set(at, operator.to());
    Optional<String> leader = range.leader();
    if (leader.equals(Optional.of(operator.from()))) {
      leader =
          replicas.stream()
              .filter(id -> state.nodes().stream().anyMatch(n -> n.id().equals(id) && n.isUp()))
              .findFirst();
    }
    return new RangeDescriptor(
        range.rangeId(), range.bounds(), range.epoch().nextConfVersion(), replicas, leader);
  }

  /** The last state of a run and how many rounds proposed something. */
  record Run(ClusterState end, int busyRounds, List<Operator> operators) {}

  /**
   * Runs rounds {@code stepMs} apart from {@code startMs}, checking each against {@link
   * RoundRules} and applying its operators, until a round proposes nothing while no range is
   * cooling down. Fails the test if that takes more than {@code maxRounds} rounds.
   */
  static Run untilQuiet(
      Scheduler scheduler, ClusterState start, long startMs, long stepMs, int maxRounds) {
    ClusterState state = start;
    long nowMs = startMs;
    int busyRounds = 0;
    List<Operator> all = new ArrayList<>();
    for (int round = 0; round < maxRounds; round++) {
      List<Operator> operators = scheduler.schedule(state, nowMs);
      RoundRules.check(state, scheduler.config(), nowMs, operators);
      if (operators.isEmpty() && !anyCooling(state, scheduler.config(), nowMs)) {
        return new Run(state, busyRounds, all);
      }
      if (!operators.isEmpty()) {
        busyRounds++;
      }
      all.addAll(operators);
      state = apply(state, operators, nowMs);
      nowMs += stepMs;
    }
    return fail("not quiet after " + maxRounds + " rounds; last state " + state);
  }

  private static boolean anyCooling(ClusterState state, SchedulerConfig config, long nowMs) {
    long cooldownMs = config.rangeCooldown().toMillis();
    return state.lastChangeMsPerRange().values().stream().anyMatch(at -> nowMs - at < cooldownMs);
  }
}
