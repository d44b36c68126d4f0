package pando.api.range;

/**
 * The version of a range's shape and membership: {@code version} grows on every split or merge that
 * changes the range's bounds, {@code confVersion} on every change of its replica set.
 *
 * <p>Guarantees: both components are at least 1. Along the history of one range both components
 * only grow, and every split or merge gives the resulting ranges a {@code version} above those of
 * all the ranges it consumed, so for any one hash the owning range's {@code version} never goes
 * down. Leadership is deliberately not part of the epoch: a leader change does not change which
 * keys a range owns or who holds them, so it must not invalidate requests routed with the epoch.
 */
public record Epoch(long version, long confVersion) {
  public Epoch {
    // 0 is what an unset protobuf field reads as; rejecting it keeps a forgotten field from passing
    // as a real (very old) epoch.
    if (version < 1 || confVersion < 1) {
      throw new IllegalArgumentException(
          "epoch components start at 1, got version " + version + ", confVersion " + confVersion);
    }
  }

  /** The epoch of every range of a new cluster. */
  public static Epoch initial() {
    return new Epoch(1, 1);
  }

  /**
   * True if either component is lower than the other epoch's.
   *
   * <p>The components are compared separately, not as one lexicographic number, because each says
   * something different is out of date: a lower {@code version} means the bounds the request was
   * routed with may no longer be the range's (a split or merge happened), a lower {@code
   * confVersion} means its replica list is out of date. A request routed with a newer confVersion
   * but an older version is therefore still stale: its bounds are wrong whatever it knows about the
   * replicas. This is not a total order: {@code (2,1)} and {@code (1,2)} are each older than the
   * other. One range's history never produces such a pair (both components only grow), so meeting
   * one means some view is out of date and neither side may serve on its strength.
   */
  public boolean isOlderThan(Epoch other) {
    return version < other.version || confVersion < other.confVersion;
  }

  /** This epoch after a split or merge. */
  public Epoch nextVersion() {
    // addExact: a silently wrapped version would look older than every epoch before it.
    return new Epoch(Math.addExact(version, 1), confVersion);
  }

  /** This epoch after a replica-set change. */
  public Epoch nextConfVersion() {
    return new Epoch(version, Math.addExact(confVersion, 1));
  }
}
