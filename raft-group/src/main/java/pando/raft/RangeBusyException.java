package pando.raft;

/** Too many writes of one range outstanding from this node: nothing was sent, so a retry is safe. */
public final class RangeBusyException extends RuntimeException {
  public RangeBusyException(long rangeId, int inFlightMax) {
    super("range " + rangeId + " already has " + inFlightMax
        + " writes in flight from this node; retry after a short backoff");
  }
}
