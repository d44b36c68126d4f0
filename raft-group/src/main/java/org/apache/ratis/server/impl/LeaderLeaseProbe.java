package org.apache.ratis.server.impl;

import org.apache.ratis.server.RaftServer;

/**
 * Asks a Ratis division whether it is a ready leader holding a valid leader lease, right now.
 *
 * <p>Why this lives in Ratis's package: Ratis 3.2.2 keeps the lease check package-private, and its
 * public linearizable read (ReadIndex) is not safe to rely on. A leader remembers the highest
 * commit index that a heartbeat round has confirmed and answers any later read at that same index
 * at once, without a new round. A leader cut off from its majority cannot commit anything, so its
 * commit index stays put and it keeps answering reads from its old state until it steps down,
 * which happens only after the maximum election timeout, while the majority may already have
 * elected a new leader and committed new writes. Pando therefore serves linearizable reads only
 * after asking this probe, at the moment of the read, whether the lease still holds.
 *
 * <p>The lease runs from the send time of the latest heartbeat that a majority answered, for a
 * fraction of the minimum election timeout; followers do not vote for a new leader within that
 * timeout of hearing from this one. It is valid only while the leader is running and has committed
 * an entry of its own term.
 */
public final class LeaderLeaseProbe {
  private LeaderLeaseProbe() {}

  /** True if {@code division} is a running, ready leader whose lease is valid at this instant. */
  public static boolean holdsLease(RaftServer.Division division) {
    if (!(division instanceof RaftServerImpl server)) {
      return false;
    }
    return server.getRole().getLeaderState().map(LeaderStateImpl::hasLease).orElse(false);
  }
}
