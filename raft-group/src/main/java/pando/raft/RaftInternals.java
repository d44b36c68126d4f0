package pando.raft;

import java.util.Map;
import pando.raft.metrics.LightRatisMetrics.TimerTotals;

/**
 * How one replica's Raft machinery has been doing since it opened, for an operator's metrics.
 *
 * @param logAppends entries appended to the replica's Raft log, and the time the appends took
 * @param logFlushes flushes of the log to disk (each ends in an fsync), and their time
 * @param applies committed entries applied to the store, and their time
 * @param snapshotInstalls snapshots installed from a leader (the replica was too far behind)
 * @param followerLag on the leader only: each follower's entries behind the commit index
 */
public record RaftInternals(
    TimerTotals logAppends, TimerTotals logFlushes, TimerTotals applies, long snapshotInstalls,
    Map<String, Long> followerLag) {}
