package pando.node;

import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.LeaderSteppingDownException;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import pando.internal.v1.RangeResult;

/** Turns what a range answered, or why it could not answer, into a gRPC status a person can act on. */
final class StatusMapping {
  private StatusMapping() {}

  static Status forResult(RangeResult result) {
    return switch (result.getStatus()) {
      case OK -> Status.OK;
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION.withDescription(result.getMessage());
      case OUT_OF_RANGE -> Status.OUT_OF_RANGE.withDescription(result.getMessage());
      case APPLIED_RESULT_UNKNOWN -> Status.UNKNOWN.withDescription(result.getMessage());
      // The range split after the request was routed; nothing was applied, so the answer is
      // definite, and a router that refreshes its table can send the request again.
      case WRONG_RANGE -> Status.FAILED_PRECONDITION.withDescription(result.getMessage());
      // Nothing was applied now; whether an earlier send of the same write was is for its writer to
      // know (it is, if that send may have reached the range).
      case SESSION_UNKNOWN, SEQ_FORGOTTEN -> Status.FAILED_PRECONDITION.withDescription(result.getMessage());
      case UNRECOGNIZED -> Status.INTERNAL.withDescription("range answered with an unknown status");
    };
  }

  /** What a client must be told beside the status to act on it without reading text, or null. */
  static io.grpc.Metadata trailersFor(RangeResult result) {
    pando.v1.RouteError.Kind kind = switch (result.getStatus()) {
      case SESSION_UNKNOWN, SEQ_FORGOTTEN -> pando.v1.RouteError.Kind.SESSION_LOST;
      case WRONG_RANGE -> pando.v1.RouteError.Kind.STALE_EPOCH;
      default -> null;
    };
    if (kind == null) {
      return null;
    }
    return io.grpc.Status.trailersFromThrowable(pando.api.RouteErrors.toStatus(
        pando.v1.RouteError.newBuilder().setKind(kind).build(), result.getMessage()));
  }

  static Status forFailure(long rangeId, Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof pando.raft.RangeReplicas.UnknownRangeException) {
      return Status.NOT_FOUND.withDescription("this node knows no range " + rangeId
          + "; its range table may be older than the placement driver's");
    }
    return forFailure("range " + rangeId, cause);
  }

  /**
   * As {@link #forFailure(long, Throwable)}, for a failure of {@code subject} ("range 7", "a salted
   * copy"). Messages say what happened and what to do, never which Java exception said so.
   */
  static Status forFailure(String subject, Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof StatusFailure chosen) {
      return chosen.status;
    }
    if (cause instanceof TimeoutException) {
      return Status.DEADLINE_EXCEEDED.withDescription(
          subject + " did not answer before the deadline; a write may or may not have taken effect");
    }
    if (cause instanceof pando.raft.DeadlinePassedException) {
      return Status.DEADLINE_EXCEEDED.withDescription(cause.getMessage());
    }
    if (cause instanceof pando.raft.RangeReplicas.UnknownRangeException) {
      return Status.NOT_FOUND.withDescription(cause.getMessage()
          + "; this node's range table may be older than the placement driver's");
    }
    if (cause instanceof RangeAccess.RangeUnavailableException || cause instanceof NodeWriter.OutcomeUnknownException) {
      return Status.UNAVAILABLE.withDescription(cause.getMessage());
    }
    if (cause instanceof pando.raft.RangeBusyException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(cause.getMessage());
    }
    if (cause instanceof RaftRetryFailureException) {
      return Status.UNAVAILABLE.withDescription(
          subject + " has no reachable leader (is a majority of its replicas up?)");
    }
    if (cause instanceof AlreadyClosedException || cause instanceof GroupMismatchException) {
      return Status.UNAVAILABLE.withDescription(subject + " is no longer served by this node's replica (it moved,"
          + " split or is restarting); a write may or may not have taken effect: retry it, with its write_id");
    }
    if (cause instanceof NotLeaderException || cause instanceof LeaderSteppingDownException) {
      return Status.UNAVAILABLE.withDescription(subject + " is changing leader; a write may or may not have"
          + " taken effect: retry it, with its write_id");
    }
    if (cause instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(cause.getMessage());
    }
    return Status.UNAVAILABLE.withDescription(subject + " could not serve the request"
        + (cause.getMessage() == null ? "" : " (" + firstLine(cause.getMessage()) + ")")
        + "; a write may or may not have taken effect: retry it, with its write_id");
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String firstLine(String text) {
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }
}
