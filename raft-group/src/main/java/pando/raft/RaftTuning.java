package pando.raft;

import java.time.Duration;

/**
 * The Raft knobs a node exposes. Defaults suit a small cluster on a busy machine: elections are
 * slower than Ratis's defaults so that a GC pause or a loaded core does not depose leaders.
 *
 * @param electionTimeoutMin lower bound of the randomized election timeout
 * @param electionTimeoutMax upper bound of the randomized election timeout
 * @param snapshotEveryEntries take a snapshot (and purge the log) after this many applied entries
 * @param clientRequestTimeout how long the node waits for one Raft request attempt to a leader
 * @param logPurgeGapEntries purge the log only once this many entries are behind a snapshot
 * @param leaderLeaseReads serve linearizable reads on a leader whose majority answered a heartbeat
 *     sent within the last 90% of the minimum election timeout, without a confirmation round per
 *     read; safe while clocks advance at nearly the same rate on every node (no follower can elect
 *     a new leader before its own election timeout passes). Off means every linearizable read is a
 *     Raft log entry: no clock assumption, but a read costs as much as a write
 */
public record RaftTuning(
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    long snapshotEveryEntries,
    Duration clientRequestTimeout,
    long logPurgeGapEntries,
    boolean leaderLeaseReads) {

  public RaftTuning {
    if (electionTimeoutMin.isNegative() || electionTimeoutMin.isZero()
        || electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
      throw new IllegalArgumentException(
          "election timeout must satisfy 0 < min < max, got " + electionTimeoutMin + ".." + electionTimeoutMax);
    }
    if (snapshotEveryEntries < 1) {
      throw new IllegalArgumentException("snapshot interval must be at least 1 entry");
    }
    if (logPurgeGapEntries < 1) {
      throw new IllegalArgumentException("log purge gap must be at least 1 entry");
    }
    if (clientRequestTimeout.isNegative() || clientRequestTimeout.isZero()) {
      throw new IllegalArgumentException("client request timeout must be positive");
    }
  }

  public static RaftTuning defaults() {
    return new RaftTuning(Duration.ofMillis(1000), Duration.ofMillis(2000), 100_000, Duration.ofSeconds(3), 1024, true);
  }

  public RaftTuning withSnapshotEveryEntries(long entries) {
    return new RaftTuning(electionTimeoutMin, electionTimeoutMax, entries, clientRequestTimeout, logPurgeGapEntries, leaderLeaseReads);
  }

  public RaftTuning withElectionTimeout(Duration min, Duration max) {
    return new RaftTuning(min, max, snapshotEveryEntries, clientRequestTimeout, logPurgeGapEntries, leaderLeaseReads);
  }

  public RaftTuning withClientRequestTimeout(Duration timeout) {
    return new RaftTuning(electionTimeoutMin, electionTimeoutMax, snapshotEveryEntries, timeout,
        logPurgeGapEntries, leaderLeaseReads);
  }

  public RaftTuning withLeaderLeaseReads(boolean enabled) {
    return new RaftTuning(electionTimeoutMin, electionTimeoutMax, snapshotEveryEntries, clientRequestTimeout,
        logPurgeGapEntries, enabled);
  }

  public RaftTuning withLogPurgeGapEntries(long entries) {
    return new RaftTuning(electionTimeoutMin, electionTimeoutMax, snapshotEveryEntries, clientRequestTimeout, entries, leaderLeaseReads);
  }
}
