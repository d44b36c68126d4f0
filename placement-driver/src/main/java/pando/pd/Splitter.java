package pando.pd;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeProtos;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdResult;
import pando.internal.v1.ReserveRangeIdCommand;
import pando.internal.v1.SplitRangeCommand;
import pando.pd.meta.ClusterView;
import pando.pd.meta.HeartbeatBook;
import pando.pd.meta.PdState;
import pando.v1.HeartbeatRequest;
import pando.v1.NodeState;
import pando.v1.ReplicaStats;
import pando.v1.SplitRangeRequest;
import pando.v1.SplitRangeResponse;

/**
 * Splits ranges, one at a time, on the PD leader: when a range's data passes the split size, or
 * when an operator asks. A split is (1) a range id reserved in the PD's log, (2) the split applied
 * in the range's own Raft log through its leader's node (every replica builds both halves from
 * the same state), (3) the split recorded in the PD's table. If the PD loses track between (2)
 * and (3), the replicas of the new range report it in their heartbeats and {@link #learn} records
 * it then.
 */
final class Splitter {
  private static final Logger LOG = LoggerFactory.getLogger(Splitter.class);
  private static final Duration SPLIT_DEADLINE = Duration.ofSeconds(60);

  private final PdServer pd;
  private final NodeCalls nodes;
  private final long splitSizeBytes;
  private final AtomicBoolean splitting = new AtomicBoolean();

  /** @param splitSizeBytes split a range holding more than this; 0 splits only when asked */
  Splitter(PdServer pd, NodeCalls nodes, long splitSizeBytes) {
    this.pd = pd;
    this.nodes = nodes;
    this.splitSizeBytes = splitSizeBytes;
  }

  /** True while a split runs. */
  boolean busy() {
    return splitting.get();
  }

  /** Splits the largest range above the split size, if no split is running and it has no move. */
  void round(HeartbeatBook book) {
    if (splitSizeBytes <= 0 || splitting.get()) {
      return;
    }
    PdState state = pd.state();
    Map<Long, Long> bytes = new HashMap<>();
    for (var node : state.nodes().nodes()) {
      for (ReplicaStats r : book.replicas(node.getNodeId())) {
        if (r.getLeader()) {
          bytes.merge(r.getRangeId(), r.getDataBytes(), Math::max);
        }
      }
    }
    state.ranges().flatMap(table -> table.ranges().stream()
            .filter(r -> bytes.getOrDefault(r.rangeId(), 0L) > splitSizeBytes)
            .filter(r -> state.operators().stream().noneMatch(op -> op.getRangeId() == r.rangeId()))
            .max(Comparator.comparingLong(r -> bytes.get(r.rangeId()))))
        .ifPresent(r -> {
          LOG.info("pd={} event=size-split range={} data-bytes={} split-size={}", pd.id(), r.rangeId(),
              bytes.get(r.rangeId()), splitSizeBytes);
          split(r.rangeId(), OptionalLong.empty(), OperatorCounts.SplitReason.SIZE, book).exceptionally(e -> null);
        });
  }

  /**
   * Splits a range at {@code at}, or at the median hash of its keys. Completes with the two halves
   * once the table records them; fails if another split is running or the range refuses.
   */
  CompletableFuture<SplitRangeResponse> split(long rangeId, OptionalLong at, OperatorCounts.SplitReason reason,
      HeartbeatBook book) {
    if (!splitting.compareAndSet(false, true)) {
      return CompletableFuture.failedFuture(new IllegalStateException("another split is running; retry"));
    }
    PdState state = pd.state();
    Optional<RangeDescriptor> found = state.ranges().flatMap(t -> t.byId(rangeId));
    if (found.isEmpty()) {
      splitting.set(false);
      return CompletableFuture.failedFuture(new java.util.NoSuchElementException("no range " + rangeId));
    }
    RangeDescriptor range = found.get();
    String via = ClusterView.leaderHint(range, book)
        .or(() -> range.replicas().stream()
            .filter(n -> book.state(n, PdServer.nowMillis()) == NodeState.UP).findFirst())
        .orElse(range.replicas().get(0));
    return pd.submit(PdCommand.newBuilder().setReserveRangeId(ReserveRangeIdCommand.getDefaultInstance()).build())
        .thenCompose(reserved -> {
          if (reserved.getStatus() != PdResult.Status.OK) {
            throw new IllegalStateException(reserved.getMessage());
          }
          SplitRangeRequest.Builder request = SplitRangeRequest.newBuilder()
              .setRangeId(rangeId)
              .setNewRangeId(reserved.getRangeId())
              .setExpectedVersion(range.epoch().version())
              .setStart(range.bounds().start())
              .setEnd(range.bounds().end());
          at.ifPresent(request::setSplitHash);
          return nodes.ask(state, via, stub -> stub.withDeadlineAfter(SPLIT_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                  .splitRange(request.build()))
              .thenCompose(answer -> record(range, answer.getSplitHash(), reserved.getRangeId()).thenApply(x -> answer));
        })
        .whenComplete((answer, error) -> {
          splitting.set(false);
          if (error != null) {
            pd.operatorCounts().count(OperatorCounts.Kind.SPLIT, OperatorCounts.Outcome.FAILED);
            LOG.info("pd={} event=split-failed range={} error=\"{}\"", pd.id(), rangeId, error.toString());
          } else {
            pd.operatorCounts().split(reason);
          }
        });
  }

  private CompletableFuture<Void> record(RangeDescriptor range, long splitHash, long newRangeId) {
    return pd.submit(PdCommand.newBuilder().setSplitRange(SplitRangeCommand.newBuilder()
            .setRangeId(range.rangeId())
            .setExpectedEpoch(RangeProtos.toProto(range.epoch()))
            .setSplitHash(splitHash)
            .setNewRangeId(newRangeId))
            .build())
        .thenAccept(result -> {
          if (result.getStatus() != PdResult.Status.OK) {
            throw new IllegalStateException(result.getMessage());
          }
          LOG.info("pd={} event=split-recorded range={} new-range={} at={}", pd.id(), range.rangeId(), newRangeId,
              Long.toUnsignedString(splitHash, 16));
        });
  }

  /**
   * Records a split the table misses, from a heartbeat: a replica of a range the table does not
   * know, whose bounds are the upper part of a range the table has at the version before.
   */
  void learn(HeartbeatRequest heartbeat) {
    PdState state = pd.state();
    if (state.ranges().isEmpty() || splitting.get()) {
      return;
    }
    for (ReplicaStats r : heartbeat.getReplicasList()) {
      if (r.getEpochVersion() < 2 || state.ranges().get().byId(r.getRangeId()).isPresent()) {
        continue;
      }
      RangeDescriptor parent = state.ranges().get().locate(r.getStart());
      if (parent.bounds().end() == r.getEnd() && parent.bounds().start() != r.getStart()
          && parent.epoch().version() == r.getEpochVersion() - 1) {
        LOG.info("pd={} event=split-learned range={} new-range={}", pd.id(), parent.rangeId(), r.getRangeId());
        record(parent, r.getStart(), r.getRangeId()).exceptionally(e -> null);
      }
    }
  }
}
