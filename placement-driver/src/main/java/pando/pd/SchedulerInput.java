package pando.pd;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeTable;
import pando.internal.v1.MoveOperator;
import pando.internal.v1.NodeRecord;
import pando.pd.meta.ClusterView;
import pando.pd.meta.HeartbeatBook;
import pando.pd.meta.PdState;
import pando.pd.schedule.ClusterState;
import pando.pd.schedule.NodeStatus;
import pando.pd.schedule.Operator;

/**
 * The pure {@link pando.pd.schedule.Scheduler}'s input, made from the PD's durable state and the
 * latest heartbeats; and the names operator reasons have in the PD's log.
 */
public final class SchedulerInput {
  private SchedulerInput() {}

  /**
   * The cluster as the scheduler sees it at {@code nowMs}: ranges with their leader hints, each
   * range's size (the largest any replica reports), each node's liveness, and what is in flight.
   *
   * @param transfers leader transfers asked for and not answered yet
   * @param lastChangeMs when each range last changed, for its cooldown
   * @param hotRanges the ranges hot now
   */
  public static ClusterState of(PdState state, HeartbeatBook book, long nowMs, Collection<? extends Operator> transfers,
      Map<Long, Long> lastChangeMs, Set<Long> hotRanges) {
    RangeTable table = state.ranges().orElseThrow(() -> new IllegalStateException("the cluster is not bootstrapped"));
    List<RangeDescriptor> ranges = ClusterView.withLeaderHints(table.ranges(), book);
    Map<Long, Long> bytes = new HashMap<>();
    List<NodeStatus> nodes = new ArrayList<>();
    for (NodeRecord node : state.nodes().nodes()) {
      nodes.add(new NodeStatus(node.getNodeId(), book.state(node.getNodeId(), nowMs), node.getDraining()));
      for (pando.v1.ReplicaStats replica : book.replicas(node.getNodeId())) {
        bytes.merge(replica.getRangeId(), replica.getBytes(), Math::max);
      }
    }
    List<Operator> inFlight = new ArrayList<>(transfers);
    for (MoveOperator op : state.operators()) {
      Epoch epoch = table.byId(op.getRangeId()).map(RangeDescriptor::epoch).orElse(Epoch.initial());
      inFlight.add(new Operator.MoveReplica(op.getRangeId(), epoch, op.getFromNode(), op.getToNode(),
          reasonOf(op.getReason())));
    }
    return new ClusterState(ranges, bytes, nodes, inFlight, lastChangeMs, hotRanges);
  }

  /** How a reason is written in the PD's log: {@code BALANCE_REPLICAS} as {@code balance-replicas}. */
  static String reasonName(Operator.Reason reason) {
    return reason.name().toLowerCase(Locale.ROOT).replace('_', '-');
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
