package pando.pd;

import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeProtos;
import pando.internal.v1.ChangeReplicasCommand;
import pando.internal.v1.MoveOperator;
import pando.internal.v1.NodeRecord;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdResult;
import pando.internal.v1.RemoveOperatorCommand;
import pando.pd.meta.ClusterView;
import pando.pd.meta.HeartbeatBook;
import pando.pd.meta.PdState;
import pando.v1.ChangeMembersRequest;
import pando.v1.Member;
import pando.v1.NodeState;
import pando.v1.NodeTransferLeaderRequest;
import pando.v1.RangeAdminGrpc;
import pando.v1.ReplicaStats;

/**
 * Carries out the recorded replica moves, on the PD leader, one step per operator per round. Each
 * step reads where the move stands from the range table and the heartbeats, so a step repeated
 * after a failure or a PD failover does no harm:
 *
 * <ol>
 *   <li>the target is added to the range's replicas in the table, so its node creates an empty
 *       replica that waits to be caught up;
 *   <li>once the target's node reports that replica, and leadership is off the source, the range's
 *       Raft group is asked to make its voters the table's replicas minus the source (Ratis catches
 *       the target up by log or snapshot before the change commits, so the range never has fewer
 *       up-to-date voters than before);
 *   <li>the source is removed from the table, so its node deletes its replica, and the operator is
 *       finished.
 * </ol>
 *
 * <p>Every change to the table is guarded by the range's epoch, so a step computed from an old
 * table is refused instead of applied twice.
 */
final class MoveExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(MoveExecutor.class);
  private static final Duration CHANGE_DEADLINE = Duration.ofSeconds(70);
  private static final Duration TRANSFER_DEADLINE = Duration.ofSeconds(15);

  private final PdServer pd;
  private final Map<Long, String> steps = new ConcurrentHashMap<>();
  private final Map<Long, Boolean> running = new ConcurrentHashMap<>();
  private final NodeCalls nodes;
  // When each range last changed membership or leader (PdServer.nowMillis), for the scheduler's
  // cooldown. Soft state: a new PD leader starts without it, and waits one cooldown at most.
  private final Map<Long, Long> lastChangeMs = new ConcurrentHashMap<>();

  Map<Long, Long> lastChanges() {
    return Map.copyOf(lastChangeMs);
  }

  MoveExecutor(PdServer pd, NodeCalls nodes) {
    this.pd = pd;
    this.nodes = nodes;
  }

  /** What each running operator waits for, for `pando admin operators`. */
  String step(long operatorId) {
    return steps.getOrDefault(operatorId, "starting");
  }

  /** One round: starts the next step of every operator whose previous step has finished. */
  void round(HeartbeatBook book) {
    PdState state = pd.state();
    for (MoveOperator op : state.operators()) {
      if (running.putIfAbsent(op.getOperatorId(), true) == null) {
        CompletableFuture<Void> step;
        try {
          step = step(op, state, book);
        } catch (RuntimeException e) {
          step = CompletableFuture.failedFuture(e);
        }
        step.whenComplete((ignored, error) -> {
          running.remove(op.getOperatorId());
          if (error != null) {
            pd.operatorCounts().count(OperatorCounts.Kind.MOVE, OperatorCounts.Outcome.FAILED);
            steps.put(op.getOperatorId(), steps.getOrDefault(op.getOperatorId(), "") + " (retrying: "
                + describe(error) + ")");
            LOG.info("pd={} event=operator-step-failed operator={} range={} error=\"{}\"", pd.id(),
                op.getOperatorId(), op.getRangeId(), describe(error));
          }
        });
      }
    }
    steps.keySet().retainAll(state.operators().stream().map(MoveOperator::getOperatorId).toList());
  }

  private CompletableFuture<Void> step(MoveOperator op, PdState state, HeartbeatBook book) {
    Optional<RangeDescriptor> found = state.ranges().flatMap(t -> t.byId(op.getRangeId()));
    String from = op.getFromNode();
    String to = op.getToNode();
    if (found.isEmpty()) {
      return finish(op, "range " + op.getRangeId() + " no longer exists", OperatorCounts.Outcome.ABANDONED);
    }
    RangeDescriptor range = found.get();
    List<String> replicas = range.replicas();
    if (!replicas.contains(from)) {
      return finish(op, replicas.contains(to) ? "done" : "source left the range another way",
          replicas.contains(to) ? OperatorCounts.Outcome.DONE : OperatorCounts.Outcome.ABANDONED);
    }
    if (!replicas.contains(to)) {
      steps.put(op.getOperatorId(), "adding " + to + " to the range's replicas");
      return changeTable(range, plus(replicas, to));
    }
    if (!reports(book, to, range.rangeId())) {
      steps.put(op.getOperatorId(), "waiting for " + to + " to create its replica");
      return CompletableFuture.completedFuture(null);
    }
    Optional<String> leader = ClusterView.leaderHint(range, book);
    if (leader.isPresent() && leader.get().equals(from)) {
      Optional<String> heir = replicas.stream()
          .filter(r -> !r.equals(from) && !r.equals(to) && up(book, r))
          .findFirst();
      if (heir.isPresent()) {
        steps.put(op.getOperatorId(), "moving leadership from " + from + " to " + heir.get());
        return transferLeader(state, range.rangeId(), heir.get());
      }
    }
    steps.put(op.getOperatorId(), to + " catching up; then " + from + " leaves the Raft group");
    List<String> voters = replicas.stream().filter(r -> !r.equals(from)).toList();
    return changeMembers(state, book, range, voters)
        .thenCompose(ignored -> {
          steps.put(op.getOperatorId(), "removing " + from + " from the range's replicas");
          return changeTable(range, voters);
        });
  }

  private static List<String> plus(List<String> replicas, String node) {
    List<String> next = new java.util.ArrayList<>(replicas);
    next.add(node);
    return next;
  }

  private static boolean reports(HeartbeatBook book, String node, long rangeId) {
    return book.replicas(node).stream().mapToLong(ReplicaStats::getRangeId).anyMatch(id -> id == rangeId);
  }

  private static boolean up(HeartbeatBook book, String node) {
    return book.state(node, PdServer.nowMillis()) == NodeState.UP;
  }

  private CompletableFuture<Void> changeTable(RangeDescriptor range, List<String> replicas) {
    return pd.submit(PdCommand.newBuilder().setChangeReplicas(ChangeReplicasCommand.newBuilder()
            .setRangeId(range.rangeId())
            .setExpectedEpoch(RangeProtos.toProto(range.epoch()))
            .addAllReplicas(replicas))
            .build())
        .thenAccept(result -> {
          if (result.getStatus() != PdResult.Status.OK) {
            throw new IllegalStateException(result.getMessage());
          }
          LOG.info("pd={} event=replicas-changed range={} replicas={}", pd.id(), range.rangeId(), replicas);
        });
  }

  private CompletableFuture<Void> finish(MoveOperator op, String why, OperatorCounts.Outcome outcome) {
    return pd.submit(PdCommand.newBuilder()
            .setRemoveOperator(RemoveOperatorCommand.newBuilder().setOperatorId(op.getOperatorId()))
            .build())
        .thenAccept(result -> {
          lastChangeMs.put(op.getRangeId(), PdServer.nowMillis());
          pd.operatorCounts().count(OperatorCounts.Kind.MOVE, outcome);
        })
        .thenRun(() -> LOG.info("pd={} event=operator-finished operator={} range={} from={} to={} outcome=\"{}\"",
            pd.id(), op.getOperatorId(), op.getRangeId(), op.getFromNode(), op.getToNode(), why));
  }

  /** Asks the range, through a node that is up (the leader's if known), to take exactly these voters. */
  private CompletableFuture<Void> changeMembers(PdState state, HeartbeatBook book, RangeDescriptor range,
      List<String> voters) {
    ChangeMembersRequest.Builder request = ChangeMembersRequest.newBuilder().setRangeId(range.rangeId());
    for (String voter : voters) {
      NodeRecord node = state.nodes().node(voter).orElseThrow(() -> new IllegalStateException("unknown node " + voter));
      request.addVoters(Member.newBuilder().setNodeId(voter).setRaftAddress(node.getRaftAddress()));
    }
    String via = ClusterView.leaderHint(range, book).filter(l -> up(book, l))
        .or(() -> voters.stream().filter(v -> up(book, v)).findFirst())
        .orElseThrow(() -> new IllegalStateException("no replica of range " + range.rangeId() + " is up"));
    return call(state, via, stub -> stub.withDeadlineAfter(CHANGE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .changeMembers(request.build()));
  }

  private CompletableFuture<Void> transferLeader(PdState state, long rangeId, String to) {
    return call(state, to, stub -> stub.withDeadlineAfter(TRANSFER_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
        .transferLeader(NodeTransferLeaderRequest.newBuilder().setRangeId(rangeId).setToNode(to).build()));
  }

  /** For the Admin service's manual transfers and the scheduler's. */
  CompletableFuture<Void> transferLeaderNow(long rangeId, String to) {
    return transferLeader(pd.state(), rangeId, to)
        .thenRun(() -> lastChangeMs.put(rangeId, PdServer.nowMillis()))
        .whenComplete((ignored, error) -> pd.operatorCounts().count(OperatorCounts.Kind.TRANSFER_LEADER,
            error == null ? OperatorCounts.Outcome.DONE : OperatorCounts.Outcome.FAILED));
  }

  private CompletableFuture<Void> call(PdState state, String nodeId,
      java.util.function.Function<RangeAdminGrpc.RangeAdminBlockingStub, ?> body) {
    return nodes.ask(state, nodeId, body).thenApply(ignored -> null);
  }

  private static String describe(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException)) {
      t = t.getCause();
    }
    if (t instanceof StatusRuntimeException s) {
      return s.getStatus().getCode() + ": " + s.getStatus().getDescription();
    }
    return String.valueOf(t.getMessage());
  }

}
