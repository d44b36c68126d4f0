package pando.node;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import pando.raft.RangeGroups.Peer;
import pando.raft.RangeReplicas;
import pando.internal.v1.RangeResult;
import pando.internal.v1.SplitCommand;
import pando.v1.ChangeMembersRequest;
import pando.v1.SplitRangeRequest;
import pando.v1.SplitRangeResponse;
import pando.v1.ChangeMembersResponse;
import pando.v1.NodeTransferLeaderRequest;
import pando.v1.NodeTransferLeaderResponse;
import pando.v1.RangeAdminGrpc;

/**
 * Membership changes and leader transfers, asked by the placement driver and carried out by the
 * range's Raft group. Any node that knows the range can take the call: its client for the range
 * finds the leader.
 */
final class RangeAdminService extends RangeAdminGrpc.RangeAdminImplBase {
  static final Duration TRANSFER_TIMEOUT = Duration.ofSeconds(10);
  // A membership change may wait for a new replica to catch up by snapshot.
  private static final Duration CHANGE_TIMEOUT = Duration.ofSeconds(60);

  // A step fills or empties up to 64 copies, one range write each.
  private static final Duration HOT_KEY_STEP_TIMEOUT = Duration.ofSeconds(60);

  private final RangeReplicas replicas;
  private final NodeWriter writer;
  private final SaltedCopies copies;

  RangeAdminService(RangeReplicas replicas, NodeWriter writer, SaltedCopies copies) {
    this.replicas = replicas;
    this.writer = writer;
    this.copies = copies;
  }

  @Override
  public void hotKeyStep(pando.v1.HotKeyStepRequest request, StreamObserver<pando.v1.HotKeyStepResponse> response) {
    pando.api.hot.HotKey hot;
    try {
      hot = pando.api.hot.HotKeyMessages.fromMessage(request.getHotKey());
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    boolean counter = hot.mode() == pando.api.hot.HotKey.Mode.WRITE_HOT_COUNTER;
    CompletableFuture<Void> step;
    switch (request.getStep()) {
      case FILL_COPIES -> step = counter ? null : copies.fill(hot);
      case DELETE_COPIES -> step = copies.deleteCopies(hot);
      case FOLD_COUNTER -> step = counter ? copies.foldCounter(hot) : null;
      default -> {
        response.onError(Status.INVALID_ARGUMENT.withDescription(
            "step must be FILL_COPIES, DELETE_COPIES or FOLD_COUNTER").asRuntimeException());
        return;
      }
    }
    if (step == null) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(request.getStep() + " does not apply to a "
          + hot.mode() + " key").asRuntimeException());
      return;
    }
    step.orTimeout(HOT_KEY_STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ignored, error) -> {
      if (error == null) {
        response.onNext(pando.v1.HotKeyStepResponse.getDefaultInstance());
        response.onCompleted();
        return;
      }
      response.onError(StatusMapping.forFailure("the hot key's " + request.getStep() + " step", error).asRuntimeException());
    });
  }

  @Override
  public void changeMembers(ChangeMembersRequest request, StreamObserver<ChangeMembersResponse> response) {
    if (request.getVotersCount() == 0) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(
          "a range needs at least one voter").asRuntimeException());
      return;
    }
    List<Peer> voters = request.getVotersList().stream()
        .map(m -> new Peer(m.getNodeId(), m.getRaftAddress()))
        .toList();
    answer(request.getRangeId(), () -> replicas.changeMembers(request.getRangeId(), voters),
        CHANGE_TIMEOUT, ChangeMembersResponse.getDefaultInstance(), response);
  }

  @Override
  public void transferLeader(NodeTransferLeaderRequest request, StreamObserver<NodeTransferLeaderResponse> response) {
    answer(request.getRangeId(),
        () -> replicas.transferLeader(request.getRangeId(), request.getToNode(), TRANSFER_TIMEOUT),
        TRANSFER_TIMEOUT.plusSeconds(5), NodeTransferLeaderResponse.getDefaultInstance(), response);
  }

  @Override
  public void splitRange(SplitRangeRequest request, StreamObserver<SplitRangeResponse> response) {
    SplitCommand.Builder split = SplitCommand.newBuilder()
        .setNewRangeId(request.getNewRangeId())
        .setExpectedVersion(request.getExpectedVersion())
        .setStart(request.getStart())
        .setEnd(request.getEnd());
    if (request.hasSplitHash()) {
      split.setSplitHash(request.getSplitHash());
    }
    CompletableFuture<RangeResult> pending = writer.write(request.getRangeId(),
        pando.internal.v1.RangeCommand.newBuilder().setSplit(split).build(), null,
        System.nanoTime() + CHANGE_TIMEOUT.toNanos());
    pending.orTimeout(CHANGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((result, error) -> {
      if (error != null) {
        response.onError(StatusMapping.forFailure(request.getRangeId(), error).asRuntimeException());
      } else if (!result.hasSplit()) {
        response.onError(Status.FAILED_PRECONDITION.withDescription(result.getMessage()).asRuntimeException());
      } else {
        response.onNext(SplitRangeResponse.newBuilder()
            .setSplitHash(result.getSplit().getSplitHash())
            .setLeftKeys(result.getSplit().getLeftKeys())
            .setRightKeys(result.getSplit().getRightKeys())
            .build());
        response.onCompleted();
      }
    });
  }

  private static <T> void answer(long rangeId, java.util.function.Supplier<CompletableFuture<Void>> call,
      Duration timeout, T ok, StreamObserver<T> response) {
    CompletableFuture<Void> pending;
    try {
      pending = call.get();
    } catch (RangeReplicas.UnknownRangeException e) {
      response.onError(Status.NOT_FOUND.withDescription("this node knows no range " + rangeId).asRuntimeException());
      return;
    } catch (java.util.concurrent.RejectedExecutionException e) {
      response.onError(Status.RESOURCE_EXHAUSTED.withDescription(
          "too many membership changes waiting on this node; retry").asRuntimeException());
      return;
    }
    pending.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((ignored, error) -> {
      if (error != null) {
        response.onError(StatusMapping.forFailure(rangeId, error).asRuntimeException());
      } else {
        response.onNext(ok);
        response.onCompleted();
      }
    });
  }
}
