package pando.api.range;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import pando.api.HashRange;
import pando.api.KeyHash;

/**
 * A client's view of the range table, assembled from placement-driver snapshots and from the
 * descriptors replicas send back with {@code STALE_EPOCH}: non-overlapping descriptors, each id
 * once, possibly with gaps.
 *
 * <p>Gaps are allowed because a cache learns one descriptor at a time. When it hears that range 1
 * split, it learns the new range 1 from the replica it asked, but not the new right half; the old
 * range 1 must go (it is stale for the whole span), and the right half stays unknown until someone
 * tells it. Guessing (stretching a neighbour, keeping the parent for the remainder) would route
 * with a descriptor that never existed. So {@link #locate(long)} answers empty on a gap, and the
 * caller asks the placement driver for that hash.
 *
 * <p>Guarantees: the cache only moves forward. A descriptor is installed only if it is newer than
 * every entry it overlaps or shares its id with ({@link #install}); otherwise nothing changes. So
 * a late, reordered or duplicated answer never brings back a view the cache has already moved
 * past. Immutable: operations return a new cache (or this one, when nothing changes).
 */
public final class RouteCache {
  private static final RouteCache EMPTY = new RouteCache(new RangeIndex(List.of()));

  private final RangeIndex index;

  private RouteCache(RangeIndex index) {
    this.index = index;
  }

  public static RouteCache empty() {
    return EMPTY;
  }

  /** A cache holding a whole table, e.g. a fresh snapshot from the placement driver. */
  public static RouteCache of(RangeTable table) {
    return new RouteCache(new RangeIndex(table.ranges()));
  }

  /** The cached range owning the hash, or empty if the cache has a gap there. */
  public Optional<RangeDescriptor> locate(long hash) {
    return index.covering(hash);
  }

  public Optional<RangeDescriptor> locate(byte[] key) {
    return locate(KeyHash.of(key));
  }

  public Optional<RangeDescriptor> byId(long rangeId) {
    return index.byId(rangeId);
  }

  /** All cached descriptors, sorted by start. */
  public List<RangeDescriptor> entries() {
    return index.all();
  }

  /** The spans the cache knows no range for, in order; empty when it covers the whole space. */
  public List<HashRange> gaps() {
    return index.gaps();
  }

  /**
   * Installs {@code newer} if it supersedes every cached entry that overlaps it or has its id,
   * dropping those entries; otherwise returns this cache unchanged. Dropped entries may leave gaps
   * where {@code newer} does not reach.
   *
   * <p>It is all or nothing: if any of those entries is newer, {@code newer} is out of date for at
   * least part of its span, and installing only the rest would mean inventing clipped bounds.
   *
   * <p>A PD snapshot that lags behind what a replica already told the cache is fed through here
   * descriptor by descriptor (see {@link #installAll}), so it cannot roll the cache back either.
   */
  public RouteCache install(RangeDescriptor newer) {
    Set<RangeDescriptor> displaced = new LinkedHashSet<>(index.overlapping(newer.bounds()));
    index.byId(newer.rangeId()).ifPresent(displaced::add);
    for (RangeDescriptor old : displaced) {
      if (!supersedes(newer, old)) {
        return this;
      }
    }
    List<RangeDescriptor> next = new ArrayList<>(index.all());
    next.removeAll(displaced);
    next.add(newer);
    return new RouteCache(new RangeIndex(next));
  }

  /** {@link #install}s each descriptor in turn, e.g. every range of a placement-driver snapshot. */
  public RouteCache installAll(Iterable<RangeDescriptor> descriptors) {
    RouteCache cache = this;
    for (RangeDescriptor d : descriptors) {
      cache = cache.install(d);
    }
    return cache;
  }

  /**
   * Forgets a range, e.g. after a replica answered that it does not hold it, so that the next
   * request for its keys goes to the placement driver. Returns this cache if the id is not cached.
   */
  public RouteCache invalidate(long rangeId) {
    Optional<RangeDescriptor> old = index.byId(rangeId);
    if (old.isEmpty()) {
      return this;
    }
    List<RangeDescriptor> next = new ArrayList<>(index.all());
    next.remove(old.get());
    return new RouteCache(new RangeIndex(next));
  }

  /**
   * Whether {@code newer} may replace {@code old}, which overlaps it or has its id.
   *
   * <p>The same range (same id and bounds) is compared on the whole epoch, and an equal epoch is
   * accepted so that a fresher leader hint can replace an older one (leadership is unversioned, so
   * the last report wins). Different ranges, or the same id with other bounds, are compared on
   * {@code version} alone and must be strictly newer: {@code version} is the one counter that only
   * grows for a given hash across range ids (every split and merge lifts it above all the ranges it
   * consumed), while {@code confVersion} counts one range's membership changes and says nothing
   * about another range.
   */
  private static boolean supersedes(RangeDescriptor newer, RangeDescriptor old) {
    if (newer.rangeId() == old.rangeId() && newer.bounds().equals(old.bounds())) {
      return !newer.epoch().isOlderThan(old.epoch());
    }
    return newer.epoch().version() > old.epoch().version();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RouteCache other && entries().equals(other.entries());
  }

  @Override
  public int hashCode() {
    return Objects.hash(entries());
  }

  @Override
  public String toString() {
    return "RouteCache" + entries();
  }
}
