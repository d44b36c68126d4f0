package pando.api.range;

import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import pando.api.KeyHash;

/**
 * What a replica decides about a request routed to one of its ranges: serve it, or tell the caller
 * why not.
 *
 * <p>Guarantees: {@link Ok} only when the request's epoch equals the replica's epoch for that range
 * and every key of the request lies inside the range's bounds, so a replica acting on this check
 * never serves a key its range does not own under the epoch the client routed with.
 */
public final class EpochCheck {
  private EpochCheck() {}

  /**
   * Checks a request routed to {@code routedRangeId} at {@code routedEpoch} for keys with the given
   * hashes, against the replica's {@code current} descriptor of that range (empty if the replica
   * does not hold that range, e.g. after it was merged away or moved off this node).
   *
   * <p>Order matters: an older routed epoch answers {@link StaleEpoch} even if the replica is also
   * behind on the other component, because the replica's higher component already proves the
   * client's view out of date (see {@link Epoch#isOlderThan}). Keys are checked last: with equal
   * epochs the bounds are the same ones the client routed with, so a key outside them means the
   * client routed it wrongly, and the current descriptor is what it needs to fix that.
   *
   * @throws IllegalArgumentException if {@code current} describes another range than the routed one
   */
  public static Verdict check(
      long routedRangeId, Epoch routedEpoch, Optional<RangeDescriptor> current, long... keyHashes) {
    Objects.requireNonNull(routedEpoch, "routedEpoch");
    if (current.isEmpty()) {
      return new UnknownRange(routedRangeId);
    }
    RangeDescriptor range = current.get();
    if (range.rangeId() != routedRangeId) {
      throw new IllegalArgumentException(
          "request routed to range " + routedRangeId + " checked against " + range.name());
    }
    if (routedEpoch.isOlderThan(range.epoch())) {
      return new StaleEpoch(range);
    }
    if (range.epoch().isOlderThan(routedEpoch)) {
      return new FutureEpoch(range.epoch());
    }
    for (long hash : keyHashes) {
      if (!range.contains(hash)) {
        return new StaleEpoch(range);
      }
    }
    return new Ok();
  }

  /** {@link #check} for the keys themselves, placed with {@link KeyHash}. */
  public static Verdict checkKeys(
      long routedRangeId, Epoch routedEpoch, Optional<RangeDescriptor> current,
      Collection<byte[]> keys) {
    return check(
        routedRangeId, routedEpoch, current, keys.stream().mapToLong(KeyHash::of).toArray());
  }

  /**
   * The outcome of a check. Java 17 has no pattern matching in {@code switch}, so {@link #match}
   * stands in for an exhaustive switch; on Java 21 the sealed hierarchy can be switched on directly.
   */
  public sealed interface Verdict permits Ok, StaleEpoch, UnknownRange, FutureEpoch {
    /** Applies the function for this verdict's kind; adding a kind breaks every caller's build. */
    default <T> T match(
        Function<? super Ok, ? extends T> ok,
        Function<? super StaleEpoch, ? extends T> stale,
        Function<? super UnknownRange, ? extends T> unknown,
        Function<? super FutureEpoch, ? extends T> future) {
      if (this instanceof Ok v) {
        return ok.apply(v);
      } else if (this instanceof StaleEpoch v) {
        return stale.apply(v);
      } else if (this instanceof UnknownRange v) {
        return unknown.apply(v);
      } else {
        return future.apply((FutureEpoch) this);
      }
    }
  }

  /** Serve the request. */
  public record Ok() implements Verdict {}

  /**
   * The client routed with an out-of-date view: its epoch is older than the replica's, or a key is
   * outside the range. It should install {@code current} in its route cache and route again.
   */
  public record StaleEpoch(RangeDescriptor current) implements Verdict {
    public StaleEpoch {
      Objects.requireNonNull(current, "current");
    }
  }

  /**
   * This replica does not hold the range. The client should forget the range and ask the placement
   * driver where its keys are now.
   */
  public record UnknownRange(long rangeId) implements Verdict {}

  /**
   * The request carries a newer epoch than this replica knows: the replica has not yet applied a
   * split, merge or replica change the client already saw. It must not serve (its bounds or
   * membership may be wrong); the client should retry another replica or later.
   */
  public record FutureEpoch(Epoch replicaEpoch) implements Verdict {
    public FutureEpoch {
      Objects.requireNonNull(replicaEpoch, "replicaEpoch");
    }
  }
}
