package pando.raft;

import java.util.Optional;

/**
 * This node's replica of a range does not lead it (or holds no replica of it): nothing was
 * proposed, so the request may go to the leader instead.
 */
public final class NotLeaderHere extends RuntimeException {
  private final Optional<String> leaderId;
  private final boolean leaderNotReady;

  NotLeaderHere(long rangeId, Optional<String> leaderId, boolean leaderNotReady) {
    super(leaderNotReady ? "this node leads range " + rangeId + " but is not ready yet; retry"
        : "this node does not lead range " + rangeId + leaderId.map(id -> "; its leader is " + id).orElse(""));
    this.leaderId = leaderId;
    this.leaderNotReady = leaderNotReady;
  }

  /** The leader as this node knows it; this node itself if it leads but is not ready yet. */
  public Optional<String> leaderId() {
    return leaderId;
  }

  /** True if this node has just become leader and has not applied its own first entry yet. */
  public boolean leaderNotReady() {
    return leaderNotReady;
  }
}
