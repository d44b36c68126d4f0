package pando.pd.schedule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import pando.pd.schedule.Operator.MoveReplica;
import pando.pd.schedule.Operator.Reason;
import pando.pd.schedule.Operator.TransferLeader;

/**
 * Decides which replicas to move and which leaderships to transfer: a {@link ClusterState} and the
 * time go in, a list of {@link Operator}s comes out. Pure and deterministic: no I/O, no clock, and
 * the same arguments always give the same operators in the same order, whatever the order of the
 * state's lists. Immutable, so one instance may serve any number of threads.
 *
 * <p>Words used below: a node <em>accepts work</em> if it is UP and not draining; a range is
 * <em>busy</em> if it has an operator in flight or already proposed this round; it is <em>cooling
 * down</em> if it changed less than {@link SchedulerConfig#rangeCooldown()} before {@code nowMs}
 * (a change stamped after {@code nowMs} counts as just now; a zero cooldown never cools); a node's
 * <em>moves</em> are the moves, in flight or proposed, of which it is the target, or the source
 * while not DOWN. Counts of replicas, leaders and bytes are taken from the table with every
 * in-flight operator and every operator proposed earlier in the round applied as if complete (see
 * {@link Projection}), so one round does not pile its moves onto the same node.
 *
 * <p>Rules, holding for every round:
 *
 * <ol>
 *   <li>A busy range gets no operator: at most one per range, never beside one in flight.
 *   <li>A node's moves never exceed {@link SchedulerConfig#maxMovesPerNode()} because of a new
 *       proposal. A DOWN source is exempt: it sends no data, the new replica copies from the
 *       survivors.
 *   <li>A move's target accepts work and holds no replica of the range. For {@link
 *       Reason#REPLACE_DOWN} and {@link Reason#DRAIN} it is, among those with moves left, the one
 *       with the fewest replicas, then the fewest bytes, then the lowest id; the balancing phases
 *       choose theirs as stated below. A leadership goes only to a replica that accepts work.
 *   <li>A move needs a strict majority of the range's replicas on UP nodes, or the range could not
 *       commit the membership change; otherwise the range is skipped, never forced. Because a move
 *       adds the new replica (on an UP node) before it removes the old one, it never lowers the
 *       number of the range's replicas on UP nodes, so a range with at least {@code replication}
 *       of them keeps at least that many; every proposal asserts it.
 *   <li>At most {@link SchedulerConfig#maxOperatorsPerRound()} operators are returned.
 * </ol>
 *
 * <p>Phases, in priority order; a later phase only runs with the budget the earlier ones left.
 * Within a phase, nodes are visited by id and each node's ranges by id, unless stated otherwise.
 *
 * <ol>
 *   <li>{@link Reason#REPLACE_DOWN}: each replica on a DOWN node is moved to a target, ignoring
 *       the cooldown. SUSPECT nodes are left alone: they may come back.
 *   <li>{@link Reason#DRAIN}, leaders: a range led by a draining node that is not DOWN gets a
 *       transfer to its replica that accepts work and leads the fewest ranges (then lowest id).
 *   <li>{@link Reason#DRAIN}, replicas: each replica on a draining node that is not DOWN is moved
 *       to a target, except while that node still leads the range (the transfer goes first, the
 *       move follows in a later round).
 *   <li>{@link Reason#BALANCE_REPLICAS}, over the nodes that accept work and have moves left:
 *       sources are tried from the most replicas down (then by id), and for each source the
 *       targets from the fewest replicas up as in rule 3. The first pair with {@code
 *       replicas(source) - replicas(target) > replicaTolerance} that has a movable range (on the
 *       source, not on the target, neither busy nor cooling down, majority UP; ranges the source
 *       does not lead before those it leads, then by id) gets a move, and the search starts again
 *       with the updated counts. It stops when no pair qualifies, so at the end {@code max - min <=
 *       replicaTolerance} unless busy ranges, cooldowns, the move limit or the placement of
 *       replicas block every remaining move.
 *   <li>{@link Reason#BALANCE_LEADERS}, likewise over the nodes that accept work: sources from the
 *       most leaderships down, targets from the fewest up (then by id); the first pair with {@code
 *       leaders(source) - leaders(target) > leaderTolerance} and a range led by the source,
 *       replicated on the target, neither busy, cooling down nor hot (lowest id) gets a transfer.
 *       Ranges without a leader hint are neither counted nor transferred; hot ranges are counted
 *       but their leaders are placed by load, not here. Only once the cluster has settled (no node
 *       SUSPECT, no move in flight), and only while fewer than {@link
 *       SchedulerConfig#leaderTransfersAtOnce()} leader transfers are in flight or proposed.
 *   <li>{@link Reason#BALANCE_BYTES}, over the nodes that accept work and have moves left: let
 *       {@code h} be the heaviest (most bytes, then lowest id), {@code l} the lightest (fewest
 *       bytes, then lowest id) and {@code gap = bytes(h) - bytes(l)}. While {@code gap >
 *       minBytesGap}, {@code gap > bytesTolerance} times the mean bytes of the nodes that accept
 *       work, and {@code replicas(h) > replicas(l)}, a range moves from {@code h} to {@code l}: one
 *       on {@code h}, not on {@code l}, neither busy nor cooling down, majority UP, whose size
 *       {@code b} narrows the gap, {@code |(bytes(h) - b) - (bytes(l) + b)| < gap}, that is {@code
 *       0 < b < gap}. Of those, the one leaving the pair closest ({@code |gap - 2b|} smallest: the
 *       largest {@code b} up to half the gap, unless a larger one overshoots by less), then the
 *       smaller {@code b}, then the lowest id; then the search starts again with the updated
 *       counts. It stops when the pair fails a condition or has no such range; other pairs are not
 *       tried. No move widens a byte gap: {@code h} and {@code l} end strictly between their old
 *       byte counts. Nor does one upset replica balance: their replica counts become {@code
 *       replicas(h) - 1} and {@code replicas(l) + 1}, which also lie between the old ones, so the
 *       two swap or converge, stay within the replica tolerance if they were, and the replica
 *       spread never grows. That is why equal counts are left alone, whatever the bytes: one move
 *       would leave the pair two replicas apart, more than a tolerance of 1, and the replica phase
 *       would move a replica back for this phase to move one again (churn). So bytes are evened
 *       out only as far as uneven replica counts allow. Each such move lowers the sum of the
 *       squares of the nodes' bytes and does not raise that of their replica counts, which each
 *       replica balancing move lowers, so the two phases cannot undo each other forever.
 * </ol>
 *
 * <p>Operators carry the range's epoch from the state, so the executor can drop them if the range
 * changed meanwhile. What it does not do: add or remove replicas to fix a range's replica count
 * (every move keeps it), split or merge, or swap replicas to even out bytes between nodes that hold
 * as many replicas.
 */
public final class Scheduler {
  private final SchedulerConfig config;

  public Scheduler(SchedulerConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public SchedulerConfig config() {
    return config;
  }

  /** The operators to start now, in priority order; empty when there is nothing to do. */
  public List<Operator> schedule(ClusterState state, long nowMs) {
    Round round = new Round(state, nowMs);
    round.replaceDown();
    round.drainLeaders();
    round.drainReplicas();
    round.balanceReplicas();
    round.balanceLeaders();
    round.balanceBytes();
    return List.copyOf(round.proposed);
  }

  /**
   * True if moving a range of {@code sizeBytes} from one node to another {@code gapBytes} lighter
   * narrows their gap, {@code |gapBytes - 2 * sizeBytes| < gapBytes}; written so as not to
   * overflow.
   */
  private static boolean narrows(long gapBytes, long sizeBytes) {
    return sizeBytes > 0 && sizeBytes < gapBytes;
  }

  /** Their byte gap once the range has moved; only for a range that {@link #narrows}. */
  private static long bytesGapAfter(long gapBytes, long sizeBytes) {
    return Math.abs(gapBytes - sizeBytes - sizeBytes);
  }

  /** One call's working state. */
  private final class Round {
    private final ClusterState state;
    private final long nowMs;
    private final Projection projection;
    private final List<Operator> proposed = new ArrayList<>();

    Round(ClusterState state, long nowMs) {
      this.state = state;
      this.nowMs = nowMs;
      this.projection = Projection.of(state);
    }

    void replaceDown() {
      for (NodeStatus node : nodesWhere(NodeStatus::isDown)) {
        for (long rangeId : projection.rangesOn(node.id())) {
          if (full()) {
            return;
          }
          if (!projection.busy(rangeId) && majorityUp(rangeId)) {
            target(rangeId)
                .ifPresent(to -> propose(move(rangeId, node.id(), to, Reason.REPLACE_DOWN)));
          }
        }
      }
    }

    void drainLeaders() {
      for (NodeStatus node : nodesWhere(n -> n.draining() && !n.isDown())) {
        for (long rangeId : projection.rangesLedBy(node.id())) {
          if (full()) {
            return;
          }
          if (!projection.busy(rangeId) && !coolingDown(rangeId)) {
            projection.replicasOf(rangeId).stream()
                .filter(this::acceptsWork)
                .min(Comparator.comparingInt(projection::leaders).thenComparing(id -> id))
                .ifPresent(to -> propose(transfer(rangeId, node.id(), to, Reason.DRAIN)));
          }
        }
      }
    }

    void drainReplicas() {
      for (NodeStatus node : nodesWhere(n -> n.draining() && !n.isDown())) {
        for (long rangeId : projection.rangesOn(node.id())) {
          if (full() || !hasMovesLeft(node.id())) {
            break;
          }
          boolean leads = projection.leaderOf(rangeId).filter(node.id()::equals).isPresent();
          if (!leads && movable(rangeId)) {
            target(rangeId).ifPresent(to -> propose(move(rangeId, node.id(), to, Reason.DRAIN)));
          }
        }
      }
    }

    void balanceReplicas() {
      repeat(this::nextReplicaMove);
    }

    void balanceLeaders() {
      if (!settled()) {
        return;
      }
      while (!full() && transfersUnderway() < config.leaderTransfersAtOnce()) {
        Optional<Operator> operator = nextLeaderTransfer();
        if (operator.isEmpty()) {
          return;
        }
        propose(operator.get());
      }
    }

    /**
     * No node SUSPECT and no move in flight: leaderships moved while nodes come and go or replicas
     * move would soon be moved again, each time stalling writes. (A range without a leader hint,
     * still electing, is skipped by the transfer search; it does not hold back the others.)
     */
    private boolean settled() {
      return state.nodes().stream().noneMatch(n -> n.state() == pando.v1.NodeState.SUSPECT)
          && state.inFlight().stream().noneMatch(op -> op instanceof MoveReplica);
    }

    private long transfersUnderway() {
      return java.util.stream.Stream.concat(state.inFlight().stream(), proposed.stream())
          .filter(op -> op instanceof TransferLeader)
          .count();
    }

    void balanceBytes() {
      repeat(this::nextBytesMove);
    }

    /** Proposes what {@code next} finds until it finds nothing or the round is full. */
    private void repeat(Supplier<Optional<Operator>> next) {
      while (!full()) {
        Optional<Operator> operator = next.get();
        if (operator.isEmpty()) {
          return;
        }
        propose(operator.get());
      }
    }

    private Optional<Operator> nextReplicaMove() {
      List<NodeStatus> candidates = workers().stream().filter(n -> hasMovesLeft(n.id())).toList();
      List<NodeStatus> sources = sorted(candidates, mostFirst(projection::replicas));
      List<NodeStatus> targets = sorted(candidates, byLoad());
      for (NodeStatus source : sources) {
        for (NodeStatus target : targets) {
          int gap = projection.replicas(source.id()) - projection.replicas(target.id());
          if (gap <= config.replicaTolerance()) {
            break; // targets further on hold at least as many replicas
          }
          Optional<Long> range = movableRange(source.id(), target.id());
          if (range.isPresent()) {
            return Optional.of(
                move(range.get(), source.id(), target.id(), Reason.BALANCE_REPLICAS));
          }
        }
      }
      return Optional.empty();
    }

    /** A range on {@code from} that can move to {@code to}: non-led first, then by id. */
    private Optional<Long> movableRange(String from, String to) {
      Comparator<Long> nonLedFirst =
          Comparator.comparing(id -> projection.leaderOf(id).filter(from::equals).isPresent());
      return projection.rangesOn(from).stream()
          .filter(id -> !projection.replicasOf(id).contains(to) && movable(id))
          .min(nonLedFirst.thenComparing(id -> id));
    }

    private Optional<Operator> nextLeaderTransfer() {
      List<NodeStatus> candidates = workers();
      List<NodeStatus> sources = sorted(candidates, mostFirst(projection::leaders));
      List<NodeStatus> targets =
          sorted(candidates, Comparator.comparingInt(n -> projection.leaders(n.id())));
      for (NodeStatus source : sources) {
        for (NodeStatus target : targets) {
          int gap = projection.leaders(source.id()) - projection.leaders(target.id());
          if (gap <= config.leaderTolerance()) {
            break; // targets further on lead at least as many ranges
          }
          Optional<Long> range =
              projection.rangesLedBy(source.id()).stream()
                  .filter(id -> !projection.busy(id) && !coolingDown(id) && !state.hotRanges().contains(id))
                  .filter(id -> projection.replicasOf(id).contains(target.id()))
                  .findFirst();
          if (range.isPresent()) {
            return Optional.of(
                transfer(range.get(), source.id(), target.id(), Reason.BALANCE_LEADERS));
          }
        }
      }
      return Optional.empty();
    }

    private Optional<Operator> nextBytesMove() {
      List<NodeStatus> candidates = workers().stream().filter(n -> hasMovesLeft(n.id())).toList();
      if (candidates.isEmpty()) {
        return Optional.empty();
      }
      Comparator<NodeStatus> lightestFirst =
          Comparator.comparingLong((NodeStatus n) -> projection.bytes(n.id()));
      String from = sorted(candidates, lightestFirst.reversed()).get(0).id();
      String to = sorted(candidates, lightestFirst).get(0).id();
      long gap = projection.bytes(from) - projection.bytes(to);
      if (!bytesGapTooWide(gap) || projection.replicas(from) <= projection.replicas(to)) {
        return Optional.empty();
      }
      Comparator<Long> closestAfter =
          Comparator.comparingLong((Long id) -> bytesGapAfter(gap, state.bytesOf(id)))
              .thenComparingLong(state::bytesOf);
      return projection.rangesOn(from).stream()
          .filter(id -> !projection.replicasOf(id).contains(to) && movable(id))
          .filter(id -> narrows(gap, state.bytesOf(id)))
          .min(closestAfter.thenComparing(id -> id))
          .map(id -> move(id, from, to, Reason.BALANCE_BYTES));
    }

    /** More than the smallest gap worth a move, and more than the tolerance allows. */
    private boolean bytesGapTooWide(long gap) {
      double meanBytes =
          workers().stream().mapToLong(n -> projection.bytes(n.id())).average().orElse(0);
      return gap > config.minBytesGap() && gap > config.bytesTolerance() * meanBytes;
    }

    /** Rule 3: the target for a new replica of the range, if any node qualifies. */
    private Optional<String> target(long rangeId) {
      return workers().stream()
          .filter(n -> hasMovesLeft(n.id()) && !projection.replicasOf(rangeId).contains(n.id()))
          .min(byLoad())
          .map(NodeStatus::id);
    }

    /** Fewest replicas, then fewest bytes, then lowest id. */
    private Comparator<NodeStatus> byLoad() {
      return Comparator.comparingInt((NodeStatus n) -> projection.replicas(n.id()))
          .thenComparingLong(n -> projection.bytes(n.id()));
    }

    private Comparator<NodeStatus> mostFirst(ToIntFunction<String> count) {
      return Comparator.comparingInt((NodeStatus n) -> count.applyAsInt(n.id())).reversed();
    }

    /** The list sorted by the order, then by id. */
    private List<NodeStatus> sorted(List<NodeStatus> nodes, Comparator<NodeStatus> order) {
      return nodes.stream().sorted(order.thenComparing(NodeStatus::id)).toList();
    }

    private List<NodeStatus> workers() {
      return nodesWhere(NodeStatus::acceptsWork);
    }

    /** The nodes that pass the test, by id. */
    private List<NodeStatus> nodesWhere(Predicate<NodeStatus> test) {
      return projection.nodes().stream().filter(test).toList();
    }

    private boolean acceptsWork(String node) {
      return projection.node(node).map(NodeStatus::acceptsWork).orElse(false);
    }

    private boolean hasMovesLeft(String node) {
      return projection.moves(node) < config.maxMovesPerNode();
    }

    /** Not busy, not cooling down, majority UP. */
    private boolean movable(long rangeId) {
      return !projection.busy(rangeId) && !coolingDown(rangeId) && majorityUp(rangeId);
    }

    private boolean majorityUp(long rangeId) {
      return 2 * projection.upReplicas(rangeId) > projection.replicasOf(rangeId).size();
    }

    private boolean coolingDown(long rangeId) {
      long cooldownMs = config.rangeCooldown().toMillis();
      OptionalLong lastMs = state.lastChangeMs(rangeId);
      return cooldownMs > 0 && lastMs.isPresent() && nowMs - lastMs.getAsLong() < cooldownMs;
    }

    private boolean full() {
      return proposed.size() >= config.maxOperatorsPerRound();
    }

    private MoveReplica move(long rangeId, String from, String to, Reason reason) {
      return new MoveReplica(rangeId, projection.epochOf(rangeId), from, to, reason);
    }

    private TransferLeader transfer(long rangeId, String from, String to, Reason reason) {
      return new TransferLeader(rangeId, projection.epochOf(rangeId), from, to, reason);
    }

    /** Checks the rules the phases are meant to keep, then records the operator. */
    private void propose(Operator operator) {
      long rangeId = operator.rangeId();
      List<String> replicas = projection.replicasOf(rangeId);
      check(!projection.busy(rangeId), "range is busy", operator);
      check(!full(), "round is full", operator);
      check(acceptsWork(operator.to()), "target does not accept work", operator);
      if (operator instanceof MoveReplica) {
        check(replicas.contains(operator.from()), "source holds no replica", operator);
        check(!replicas.contains(operator.to()), "target already holds a replica", operator);
        check(majorityUp(rangeId), "no UP majority", operator);
        check(hasMovesLeft(operator.to()), "target has no moves left", operator);
        check(
            projection.node(operator.from()).orElseThrow().isDown()
                || hasMovesLeft(operator.from()),
            "source has no moves left",
            operator);
      } else {
        check(replicas.contains(operator.to()), "target holds no replica", operator);
      }
      if (operator.reason() == Reason.BALANCE_BYTES) {
        checkBytesMove(operator);
      }
      int upBefore = projection.upReplicas(rangeId);
      projection.apply(operator);
      int upAfter = projection.upReplicas(rangeId);
      // Rule 4 of the class comment; holds by construction, since every target is UP.
      check(upAfter >= upBefore, "UP replicas drop from " + upBefore + " to " + upAfter, operator);
      proposed.add(operator);
    }

    /** Phase 6 of the class comment: a move that narrows the pair's byte gap, to fewer replicas. */
    private void checkBytesMove(Operator operator) {
      check(operator instanceof MoveReplica, "a transfer for byte balance", operator);
      long gap = projection.bytes(operator.from()) - projection.bytes(operator.to());
      check(narrows(gap, state.bytesOf(operator.rangeId())), "byte gap not narrowed", operator);
      check(
          projection.replicas(operator.from()) > projection.replicas(operator.to()),
          "source holds no more replicas than the target",
          operator);
    }

    private void check(boolean condition, String what, Operator operator) {
      if (!condition) {
        throw new IllegalStateException("scheduler bug: " + what + ": " + operator);
      }
    }
  }
}
