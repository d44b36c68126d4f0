package pando.pd;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeTable;
import pando.internal.v1.AddOperatorCommand;
import pando.internal.v1.MoveOperator;
import pando.internal.v1.NodeRecord;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdResult;
import pando.pd.meta.ClusterView;
import pando.pd.meta.HeartbeatBook;
import pando.pd.meta.PdState;
import pando.pd.schedule.ClusterState;
import pando.pd.schedule.NodeStatus;
import pando.pd.schedule.Operator;
import pando.pd.schedule.Scheduler;
import pando.v1.ReplicaStats;

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
          reasonName(op.reason()));
      if (op instanceof Operator.MoveReplica move) {
        record(move);
      } else if (op instanceof Operator.TransferLeader transfer) {
        transfer(transfer);
      }
    }
    return proposed.size();
  }

  private ClusterState input(PdState state, HeartbeatBook book, long now) {
    RangeTable table = state.ranges().orElseThrow();
    List<RangeDescriptor> ranges = table.ranges().stream()
        .map(r -> r.withLeader(ClusterView.leaderHint(r, book)))
        .toList();
    Map<Long, Long> bytes = new HashMap<>();
    List<NodeStatus> nodes = new ArrayList<>();
    for (NodeRecord node : state.nodes().nodes()) {
      nodes.add(new NodeStatus(node.getNodeId(), book.state(node.getNodeId(), now), node.getDraining()));
      for (ReplicaStats replica : book.replicas(node.getNodeId())) {
        bytes.merge(replica.getRangeId(), replica.getBytes(), Math::max);
      }
    }
    List<Operator> inFlight = new ArrayList<>(transfers.values());
    for (MoveOperator op : state.operators()) {
      Epoch epoch = table.byId(op.getRangeId()).map(RangeDescriptor::epoch).orElse(Epoch.initial());
      inFlight.add(new Operator.MoveReplica(op.getRangeId(), epoch, op.getFromNode(), op.getToNode(),
          reasonOf(op.getReason())));
    }
    return new ClusterState(ranges, bytes, nodes, inFlight, moves.lastChanges(), hotRanges.get());
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
            .setReason(reasonName(move.reason()))
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

  static String reasonName(Operator.Reason reason) {
    return reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  private static Operator.Reason reasonOf(String name) {
    for (Operator.Reason reason : Operator.Reason.values()) {
      if (reasonName(reason).equals(name)) {
        return reason;
      }
    }
    return Operator.Reason.BALANCE_REPLICAS; // a manual move: it occupies its nodes all the same
  }
}
