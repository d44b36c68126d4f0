package pando.node;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import pando.v1.ForwardedRead;
import pando.v1.ForwardedReply;
import pando.v1.ForwardedWrite;
import pando.v1.NotLeader;
import pando.v1.RangeDataGrpc;

/**
 * The receiving end of {@link Forwarding}: writes and reads other nodes hand to this node because
 * they believe its replica leads the range. This node serves them from its own replica only, and
 * answers NotLeader otherwise, so a request never travels on from here.
 */
final class RangeDataService extends RangeDataGrpc.RangeDataImplBase {
  private final RangeAccess access;
  private final Duration requestTimeoutMax;

  RangeDataService(RangeAccess access, Duration requestTimeoutMax) {
    this.access = access;
    this.requestTimeoutMax = requestTimeoutMax;
  }

  @Override
  public void write(ForwardedWrite request, StreamObserver<ForwardedReply> response) {
    answer(request.getRangeId(), access.writeHere(request.getRangeId(), request.getProposal(), deadlineNanos()), response);
  }

  @Override
  public void read(ForwardedRead request, StreamObserver<ForwardedReply> response) {
    answer(request.getRangeId(),
        access.readHere(request.getRangeId(), request.getQuery(), request.getStale(), deadlineNanos()), response);
  }

  private long deadlineNanos() {
    Deadline deadline = Context.current().getDeadline();
    long max = requestTimeoutMax.toNanos();
    long remaining = deadline == null ? max : Math.min(max, deadline.timeRemaining(TimeUnit.NANOSECONDS));
    return System.nanoTime() + remaining;
  }

  private static void answer(long rangeId, CompletableFuture<RangeAccess.Outcome> pending,
      StreamObserver<ForwardedReply> response) {
    pending.whenComplete((outcome, error) -> {
      if (error != null) {
        response.onError(StatusMapping.forFailure(rangeId, error).asRuntimeException());
      } else if (outcome instanceof RangeAccess.Outcome.Done done) {
        response.onNext(ForwardedReply.newBuilder().setResult(done.result()).build());
        response.onCompleted();
      } else if (outcome instanceof RangeAccess.Outcome.Redirect redirect) {
        response.onNext(ForwardedReply.newBuilder().setNotLeader(NotLeader.newBuilder()
            .setLeaderId(redirect.leader().orElse("")).setNotReady(redirect.notReady())).build());
        response.onCompleted();
      } else if (outcome instanceof RangeAccess.Outcome.Failed failed) {
        Status status = StatusMapping.forFailure(rangeId, failed.cause());
        // Only a refusal before anything was proposed may say so; anything else leaves the outcome open.
        if (!failed.definite() && status.getCode() != Status.Code.DEADLINE_EXCEEDED) {
          status = Status.UNAVAILABLE.withDescription(status.getDescription());
        }
        response.onError(status.asRuntimeException());
      }
    });
  }
}
