package pando.pd.schedule;

import java.time.Duration;
import java.util.Objects;

/**
 * The scheduler's knobs, with their defaults in {@link #defaults()}.
 *
 * @param replication the number of replicas each range should have. The scheduler never changes a
 *     range's replica count (a move adds one and removes one) and never lowers the number of them
 *     on UP nodes, so it never takes a range below {@code min(replication, replicas on UP nodes)};
 *     the value is carried for the executor and for reports
 * @param maxMovesPerNode the most replica moves, in flight or proposed, in which one node may be
 *     source or target at a time (a DOWN source is not counted: it copies no data)
 * @param replicaTolerance replica balancing moves a replica from node {@code s} to node {@code t}
 *     only while {@code replicas(s) - replicas(t) > replicaTolerance}; at least 1, because with 0
 *     an uneven total would move replicas back and forth forever
 * @param leaderTolerance leader balancing transfers from {@code s} to {@code t} only while {@code
 *     leaders(s) - leaders(t) > leaderTolerance}; at least 1 for the same reason
 * @param rangeCooldown a range changed less than this long ago is left alone, except to replace a
 *     replica on a DOWN node; zero turns the cooldown off
 * @param maxOperatorsPerRound the most operators one call to {@link Scheduler#schedule} returns
 * @param bytesTolerance byte balancing acts only while the most and the fewest bytes held by nodes
 *     that accept work and have moves left differ by more than this fraction of the mean bytes of
 *     the nodes that accept work; positive and finite
 * @param minBytesGap byte balancing also needs that difference to exceed this many bytes, so that a
 *     small cluster does not move ranges to even out a few megabytes; zero or more, and {@link
 *     Long#MAX_VALUE} turns byte balancing off
 * @param leaderTransfersAtOnce leader balancing proposes a transfer only while fewer leader
 *     transfers than this are in flight or proposed in the round: each transfer stalls its range's
 *     writes for a moment, so a cluster whose leaders are all on one node (as after a start) evens
 *     them out one at a time rather than in a burst; at least 1
 */
public record SchedulerConfig(
    int replication,
    int maxMovesPerNode,
    int replicaTolerance,
    int leaderTolerance,
    Duration rangeCooldown,
    int maxOperatorsPerRound,
    double bytesTolerance,
    long minBytesGap,
    int leaderTransfersAtOnce) {

  private static final double DEFAULT_BYTES_TOLERANCE = 0.25;
  private static final long DEFAULT_MIN_BYTES_GAP = 64L << 20;

  /**
   * 3 replicas, at most 2 moves per node, tolerances of 1 replica and 1 leader, a 10 s cooldown,
   * at most 8 operators a round, byte balancing past 25 % of the mean and 64 MiB, and one leader
   * transfer at a time for leader balancing.
   */
  public static SchedulerConfig defaults() {
    return new SchedulerConfig(3, 2, 1, 1, Duration.ofSeconds(10), 8);
  }

  /** @throws IllegalArgumentException if a value is out of the range documented on the record */
  public SchedulerConfig {
    requireAtLeast("replication", replication, 1);
    requireAtLeast("maxMovesPerNode", maxMovesPerNode, 1);
    requireAtLeast("replicaTolerance", replicaTolerance, 1);
    requireAtLeast("leaderTolerance", leaderTolerance, 1);
    requireAtLeast("maxOperatorsPerRound", maxOperatorsPerRound, 1);
    requireAtLeast("leaderTransfersAtOnce", leaderTransfersAtOnce, 1);
    Objects.requireNonNull(rangeCooldown, "rangeCooldown");
    if (rangeCooldown.isNegative()) {
      throw new IllegalArgumentException(
          "rangeCooldown must be zero or positive, got " + rangeCooldown);
    }
    // Written so that NaN fails too.
    if (!(bytesTolerance > 0 && Double.isFinite(bytesTolerance))) {
      throw new IllegalArgumentException(
          "bytesTolerance must be positive and finite, got " + bytesTolerance);
    }
    if (minBytesGap < 0) {
      throw new IllegalArgumentException(
          "minBytesGap must be zero or positive, got " + minBytesGap);
    }
  }

  /** The given values with the default byte balancing (25 % of the mean, 64 MiB) and one leader transfer at a time. */
  public SchedulerConfig(
      int replication,
      int maxMovesPerNode,
      int replicaTolerance,
      int leaderTolerance,
      Duration rangeCooldown,
      int maxOperatorsPerRound) {
    this(
        replication, maxMovesPerNode, replicaTolerance, leaderTolerance, rangeCooldown,
        maxOperatorsPerRound, DEFAULT_BYTES_TOLERANCE, DEFAULT_MIN_BYTES_GAP, 1);
  }

  /** The same configuration with another limit on moves per node. */
  public SchedulerConfig withMaxMovesPerNode(int moves) {
    return new SchedulerConfig(
        replication, moves, replicaTolerance, leaderTolerance, rangeCooldown,
        maxOperatorsPerRound, bytesTolerance, minBytesGap, leaderTransfersAtOnce);
  }

  /** The same configuration with another limit on operators per round. */
  public SchedulerConfig withMaxOperatorsPerRound(int operators) {
    return new SchedulerConfig(
        replication, maxMovesPerNode, replicaTolerance, leaderTolerance, rangeCooldown,
        operators, bytesTolerance, minBytesGap, leaderTransfersAtOnce);
  }

  /** The same configuration with another byte tolerance. */
  public SchedulerConfig withBytesTolerance(double tolerance) {
    return new SchedulerConfig(
        replication, maxMovesPerNode, replicaTolerance, leaderTolerance, rangeCooldown,
        maxOperatorsPerRound, tolerance, minBytesGap, leaderTransfersAtOnce);
  }

  /** The same configuration with another smallest byte gap worth balancing. */
  public SchedulerConfig withMinBytesGap(long gapBytes) {
    return new SchedulerConfig(
        replication, maxMovesPerNode, replicaTolerance, leaderTolerance, rangeCooldown,
        maxOperatorsPerRound, bytesTolerance, gapBytes, leaderTransfersAtOnce);
  }

  /** The same configuration with another number of leader transfers at once for leader balancing. */
  public SchedulerConfig withLeaderTransfersAtOnce(int transfers) {
    return new SchedulerConfig(
        replication, maxMovesPerNode, replicaTolerance, leaderTolerance, rangeCooldown,
        maxOperatorsPerRound, bytesTolerance, minBytesGap, transfers);
  }

  private static void requireAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ", got " + value);
    }
  }
}
