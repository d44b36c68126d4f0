package pando.pd;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.api.range.RangeDescriptor;
import pando.internal.v1.AddOperatorCommand;
import pando.internal.v1.MoveOperator;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdResult;
import pando.pd.meta.HeartbeatBook;
import pando.pd.meta.PdState;
import pando.pd.schedule.ClusterState;
import pando.pd.schedule.NodeStatus;
import pando.pd.schedule.Operator;
import pando.pd.schedule.Scheduler;

/**
 * The I/O around the pure {@link Scheduler}: on the PD leader, builds its input from the durable
 * state and the heartbeats, and carries out what it proposes — moves are recorded in the PD's log
 * for the {@link MoveExecutor}, leader transfers are asked of the range at once.
 */
final class AutoScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(AutoScheduler.class);

  private final PdServer pd;
  private final Scheduler scheduler;
  private final MoveExecutor moves;
  // Transfers asked for and not yet answered; the scheduler counts them as in flight.
  private final Map<Long, Operator.TransferLeader> transfers = new ConcurrentHashMap<>();
  private final java.util.function.Supplier<java.util.Set<Long>> hotRanges;

  /** @param hotRanges the ranges hot now, whose leaders are spread by load; empty if none are tracked */
  AutoScheduler(PdServer pd, Scheduler scheduler, MoveExecutor moves,
      java.util.function.Supplier<java.util.Set<Long>> hotRanges) {
    this.pd = pd;
    this.scheduler = scheduler;
    this.moves = moves;
    this.hotRanges = hotRanges;
  }

  /** One round; returns how many operators it proposed. */
  int round(HeartbeatBook book) {
    PdState state = pd.state();
    if (state.ranges().isEmpty()) {
      return 0;
    }
    long now = PdServer.nowMillis();
    ClusterState input = input(state, book, now);
    List<Operator> proposed = new ArrayList<>(scheduler.schedule(input, now));
    if (proposed.isEmpty()) {
      proposed.addAll(spreadHotLeaders(input));
    }
    for (Operator op : proposed) {
      LOG.info("pd={} event=scheduled kind={} range={} from={} to={} reason={}", pd.id(),
          op instanceof Operator.MoveReplica ? "move" : "transfer-leader", op.rangeId(), op.from(), op.to(),
          SchedulerInput.reasonName(op.reason()));
      if (op instanceof Operator.MoveReplica move) {
        record(move);
      } else if (op instanceof Operator.TransferLeader transfer) {
        transfer(transfer);
      }
    }
    return proposed.size();
  }

  private ClusterState input(PdState state, HeartbeatBook book, long now) {
    return SchedulerInput.of(state, book, now, transfers.values(), moves.lastChanges(), hotRanges.get());
  }

  /**
   * Leader transfers that leave no node leading more than its share of the hot ranges, for ranges
   * with nothing in flight; only once the scheduler has nothing more urgent to do.
   */
  private List<Operator> spreadHotLeaders(ClusterState input) {
    if (input.hotRanges().isEmpty()) {
      return List.of();
    }
    java.util.Set<Long> busy = new java.util.HashSet<>();
    input.inFlight().forEach(op -> busy.add(op.rangeId()));
    List<RangeDescriptor> hot = input.ranges().stream()
        .filter(r -> input.hotRanges().contains(r.rangeId()) && !busy.contains(r.rangeId()))
        .toList();
    java.util.Set<String> workers = input.nodes().stream()
        .filter(NodeStatus::acceptsWork)
        .map(NodeStatus::id)
        .collect(java.util.stream.Collectors.toSet());
    return pando.pd.hot.HotLeaderSpread.propose(hot, workers).stream()
        .<Operator>map(t -> new Operator.TransferLeader(t.rangeId(), t.epoch(), t.from(), t.to(),
            Operator.Reason.SPREAD_HOT_LEADERS))
        .toList();
  }

  private void record(Operator.MoveReplica move) {
    pd.submit(PdCommand.newBuilder().setAddOperator(AddOperatorCommand.newBuilder().setMove(MoveOperator.newBuilder()
            .setRangeId(move.rangeId())
            .setFromNode(move.from())
            .setToNode(move.to())
            .setReason(SchedulerInput.reasonName(move.reason()))
            .setCreatedAtMs(System.currentTimeMillis())))
            .build())
        .whenComplete((result, error) -> {
          if (error != null || result.getStatus() != PdResult.Status.OK) {
            LOG.info("pd={} event=schedule-refused range={} error=\"{}\"", pd.id(), move.rangeId(),
                error != null ? error.toString() : result.getMessage());
          }
        });
  }

  private void transfer(Operator.TransferLeader transfer) {
    if (transfers.putIfAbsent(transfer.rangeId(), transfer) != null) {
      return;
    }
    moves.transferLeaderNow(transfer.rangeId(), transfer.to()).whenComplete((ignored, error) -> {
      transfers.remove(transfer.rangeId());
      if (error != null) {
        LOG.info("pd={} event=transfer-failed range={} to={} error=\"{}\"", pd.id(), transfer.rangeId(),
            transfer.to(), error.toString());
      }
    });
  }
}
