package pando.node;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import pando.api.WriterSession;
import pando.internal.v1.OpenSession;
import pando.internal.v1.Proposal;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeResult;
import pando.v1.WriteId;

/**
 * Sends writes to ranges with an identity, so that each is applied at most once however often its
 * attempts reach a leader. A write that comes with the caller's own {@link WriteId} keeps it; one
 * without (a thin client's, a salted copy's, a split) gets the next seq of this node's writer
 * session for the range, opened through the range's log on first use.
 *
 * <p>When a range no longer knows this node's session (it expired, or was evicted), the write is
 * sent again under a new session if none of its attempts may have reached a leader; otherwise its
 * outcome is unknown, and the caller is told so.
 */
final class NodeWriter {
  private final RangeAccess access;
  // This node's session per range, opened once; a failed opening is forgotten so the next write retries it.
  private final Map<Long, CompletableFuture<WriterSession>> sessions = new ConcurrentHashMap<>();

  NodeWriter(RangeAccess access) {
    this.access = access;
  }

  /**
   * Writes through the range's leader; completes with what the range answered. {@code callerId} is
   * the caller's own identity of the write, or null to give it one of this node's.
   */
  CompletableFuture<RangeResult> write(long rangeId, RangeCommand command, WriteId callerId, long deadlineNanos) {
    if (callerId != null) {
      Proposal proposal = Proposal.newBuilder().setId(callerId).setCommand(command).build();
      return access.write(rangeId, proposal, deadlineNanos, new RangeAccess.Attempts());
    }
    return writeInSession(rangeId, command, deadlineNanos, true);
  }

  private CompletableFuture<RangeResult> writeInSession(long rangeId, RangeCommand command, long deadlineNanos,
      boolean mayReopen) {
    CompletableFuture<WriterSession> opening = session(rangeId, deadlineNanos);
    return opening.thenCompose(session -> {
      WriteId id = session.issue();
      Proposal proposal = Proposal.newBuilder().setId(id).setCommand(command).build();
      RangeAccess.Attempts attempts = new RangeAccess.Attempts();
      return access.write(rangeId, proposal, deadlineNanos, attempts)
          .whenComplete((result, error) -> session.done(id))
          .thenCompose(result -> {
            if (result.getStatus() != RangeResult.Status.SESSION_UNKNOWN
                && result.getStatus() != RangeResult.Status.SEQ_FORGOTTEN) {
              return CompletableFuture.completedFuture(result);
            }
            sessions.remove(rangeId, opening);
            if (mayReopen && !attempts.mayHaveApplied()) {
              return writeInSession(rangeId, command, deadlineNanos, false);
            }
            return CompletableFuture.failedFuture(new OutcomeUnknownException(rangeId, result.getMessage()));
          });
    });
  }

  private CompletableFuture<WriterSession> session(long rangeId, long deadlineNanos) {
    CompletableFuture<WriterSession> opening = sessions.computeIfAbsent(rangeId, id -> open(id, deadlineNanos));
    opening.whenComplete((session, error) -> {
      if (error != null) {
        sessions.remove(rangeId, opening);
      }
    });
    return opening;
  }

  private CompletableFuture<WriterSession> open(long rangeId, long deadlineNanos) {
    Proposal open = Proposal.newBuilder()
        .setCommand(RangeCommand.newBuilder().setOpenSession(OpenSession.getDefaultInstance())).build();
    // A repeated opening at worst opens a session no one uses, which expires.
    return access.write(rangeId, open, deadlineNanos, new RangeAccess.Attempts()).thenApply(result -> {
      if (!result.hasOpenSession()) {
        throw new OutcomeUnknownException(rangeId, "could not open a writer session: " + result.getMessage());
      }
      return new WriterSession(result.getOpenSession().getSession());
    });
  }

  /** A write may or may not have been applied, and asking the range again cannot tell. */
  static final class OutcomeUnknownException extends RuntimeException {
    OutcomeUnknownException(long rangeId, String why) {
      super("range " + rangeId + ": " + why + "; the write may or may not have taken effect");
    }
  }
}
