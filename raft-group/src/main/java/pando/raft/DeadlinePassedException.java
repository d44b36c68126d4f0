package pando.raft;

/** A write's deadline passed while it waited to be proposed: it was never proposed, and no one waits for it. */
public final class DeadlinePassedException extends RuntimeException {
  DeadlinePassedException(long rangeId) {
    super("the request's deadline passed while it waited to be proposed to range " + rangeId
        + "; nothing was applied");
  }
}
