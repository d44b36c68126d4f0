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
 * @param dataBytes bytes of keys and values held
 * @param bounds the range's bounds as the replica knows them; empty until its first split
 * @param version the range's version as the replica knows it
 */
public record ReplicaStatus(
    boolean leader, long appliedIndex, long snapshotIndex, long logStartIndex, long keys, long bytes,
    long dataBytes, java.util.Optional<pando.api.HashRange> bounds, long version) {}
