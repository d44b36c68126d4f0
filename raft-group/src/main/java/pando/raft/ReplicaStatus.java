package pando.raft;

/**
 * What one replica of a range reports about itself.
 *
 * @param leader whether this replica currently leads the range
 * @param appliedIndex last Raft index applied to the data
 * @param snapshotIndex index of the latest snapshot held, or -1
 * @param logStartIndex first index still in the Raft log (entries before it were purged after a snapshot)
 * @param keys keys held by the replica
 * @param bytes size of the replica's store file on disk
 * @param reads reads this replica has answered since it started (a counter, for rates)
 */
public record ReplicaStatus(
    boolean leader, long appliedIndex, long snapshotIndex, long logStartIndex, long keys, long bytes, long reads) {}
