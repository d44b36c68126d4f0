package pando.api.range;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import pando.api.HashRange;
import pando.api.KeyHash;

/**
 * The authoritative placement of the whole hash space: range descriptors that tile {@code [0,
 * 2^64)} with no gap and no overlap, each range id used once.
 *
 * <p>Guarantees: every hash is owned by exactly one range, so {@link #locate(long)} always answers.
 * The table is immutable; every operation returns a new table and a rejected operation throws
 * {@link IllegalArgumentException} leaving the table it was called on as it was. Operations keep
 * the epoch rules of {@link Epoch}: split and merge raise {@code version}, replica changes raise
 * {@code confVersion}, leader changes raise nothing.
 *
 * <p>This is the placement driver's table. A client's possibly partial, possibly mixed-age view
 * of it is a {@link RouteCache}, which allows gaps; keeping the two apart keeps "no gaps" a
 * guarantee here instead of a hope.
 */
public final class RangeTable {
  private final RangeIndex index;

  /** A table of the given descriptors, in any order; rejects any that do not tile the space. */
  public RangeTable(Collection<RangeDescriptor> ranges) {
    this.index = new RangeIndex(ranges);
    checkTilesSpace(index.all());
  }

  /**
   * A new cluster's table: the space cut evenly into one range per entry of {@code
   * replicasPerRange}, range {@code i} (from 0) getting id {@code i + 1}, those replicas, epoch
   * (1,1) and no known leader.
   */
  public static RangeTable initial(List<List<String>> replicasPerRange) {
    List<HashRange> bounds = HashRange.evenSplit(replicasPerRange.size());
    List<RangeDescriptor> ranges = new ArrayList<>();
    for (int i = 0; i < bounds.size(); i++) {
      ranges.add(
          new RangeDescriptor(
              i + 1, bounds.get(i), Epoch.initial(), replicasPerRange.get(i), Optional.empty()));
    }
    return new RangeTable(ranges);
  }

  private static void checkTilesSpace(List<RangeDescriptor> sorted) {
    if (sorted.isEmpty()) {
      throw new IllegalArgumentException("a range table needs at least one range");
    }
    RangeDescriptor first = sorted.get(0);
    if (first.bounds().start() != 0) {
      throw new IllegalArgumentException(
          "hashes below " + first.name() + " are not covered: the first range must start at 0");
    }
    for (int i = 1; i < sorted.size(); i++) {
      RangeDescriptor left = sorted.get(i - 1);
      RangeDescriptor right = sorted.get(i);
      // RangeIndex has ruled out overlaps, so a mismatch here is a gap.
      if (left.bounds().end() != right.bounds().start()) {
        throw new IllegalArgumentException(
            "gap " + new HashRange(left.bounds().end(), right.bounds().start())
                + " between " + left.name() + " and " + right.name());
      }
    }
    RangeDescriptor last = sorted.get(sorted.size() - 1);
    if (last.bounds().end() != 0) {
      throw new IllegalArgumentException(
          "hashes above " + last.name() + " are not covered: the last range must reach the end");
    }
  }

  /** All ranges, sorted by start. */
  public List<RangeDescriptor> ranges() {
    return index.all();
  }

  public int size() {
    return index.all().size();
  }

  /** The range owning the hash; O(log n). */
  public RangeDescriptor locate(long hash) {
    return index.covering(hash)
        .orElseThrow(() -> new AssertionError("a tiling table misses hash " + Bounds.hex(hash)));
  }

  /** The range owning the key. */
  public RangeDescriptor locate(byte[] key) {
    return locate(KeyHash.of(key));
  }

  public Optional<RangeDescriptor> byId(long rangeId) {
    return index.byId(rangeId);
  }

  /**
   * Splits a range at {@code splitHash}: the left part {@code [start, splitHash)} keeps the id, the
   * right part {@code [splitHash, end)} gets {@code newRangeId}. Both get the parent's version + 1
   * and keep its confVersion, replicas and leader (a split is applied inside the parent's Raft
   * group, so both halves start on the same nodes under the same leader).
   *
   * @throws IllegalArgumentException if the range is unknown, the split point is not strictly inside
   *     it (a split at its start would leave an empty left part), or the new id is taken
   */
  public RangeTable split(long rangeId, long splitHash, long newRangeId) {
    RangeDescriptor parent = require(rangeId);
    HashRange bounds = parent.bounds();
    if (!bounds.contains(splitHash) || splitHash == bounds.start()) {
      throw new IllegalArgumentException(
          "cannot split " + parent.name() + " at " + Bounds.hex(splitHash)
              + ": the split point must lie inside the range and above its start");
    }
    if (newRangeId < 1) {
      throw new IllegalArgumentException(
          "cannot split " + parent.name() + ": new range id must be positive, got " + newRangeId);
    }
    index.byId(newRangeId).ifPresent(used -> {
      throw new IllegalArgumentException(
          "cannot split " + parent.name() + ": new range id " + newRangeId + " is already "
              + used.name());
    });
    Epoch epoch = parent.epoch().nextVersion();
    RangeDescriptor left = new RangeDescriptor(
        rangeId, new HashRange(bounds.start(), splitHash), epoch, parent.replicas(), parent.leader());
    RangeDescriptor right = new RangeDescriptor(
        newRangeId, new HashRange(splitHash, bounds.end()), epoch, parent.replicas(), parent.leader());
    return replacing(List.of(parent), List.of(left, right));
  }

  /**
   * Merges a range with its right neighbour. The result keeps the left range's id, replica order
   * and leader (the right range's data is absorbed into the left's Raft group). Its version is
   * above both parents' versions; its confVersion is the higher of the two, so the merged epoch is
   * not older than either parent's on either component and anyone comparing overlapping
   * descriptors sees the merged range as the newer one.
   *
   * @throws IllegalArgumentException if either range is unknown, {@code rightId} does not start
   *     where {@code leftId} ends, or the two are not held by the same set of nodes (a merge is
   *     local to the replicas; the placement driver must first move replicas to line them up)
   */
  public RangeTable merge(long leftId, long rightId) {
    RangeDescriptor left = require(leftId);
    RangeDescriptor right = require(rightId);
    if (left.bounds().end() == 0 || left.bounds().end() != right.bounds().start()) {
      throw new IllegalArgumentException(
          "cannot merge " + left.name() + " with " + right.name()
              + ": the right range must start where the left one ends");
    }
    if (!Set.copyOf(left.replicas()).equals(Set.copyOf(right.replicas()))) {
      throw new IllegalArgumentException(
          "cannot merge " + left.name() + " with " + right.name() + ": replica sets differ, "
              + left.replicas() + " vs " + right.replicas());
    }
    Epoch epoch = new Epoch(
        Math.max(left.epoch().version(), right.epoch().version()),
        Math.max(left.epoch().confVersion(), right.epoch().confVersion()))
        .nextVersion();
    RangeDescriptor merged = new RangeDescriptor(
        leftId, new HashRange(left.bounds().start(), right.bounds().end()), epoch,
        left.replicas(), left.leader());
    return replacing(List.of(left, right), List.of(merged));
  }

  /**
   * Changes a range's replica set, raising its confVersion. The leader hint is kept if the leader
   * is still a replica and dropped otherwise. Naming the same set of nodes again (in any order)
   * returns this table unchanged, so re-applying a replica change does not bump the epoch twice.
   */
  public RangeTable withReplicas(long rangeId, List<String> replicas) {
    RangeDescriptor current = require(rangeId);
    if (Set.copyOf(replicas).equals(Set.copyOf(current.replicas()))) {
      return this;
    }
    List<String> newReplicas = List.copyOf(replicas);
    RangeDescriptor changed = new RangeDescriptor(
        rangeId, current.bounds(), current.epoch().nextConfVersion(), newReplicas,
        current.leader().filter(newReplicas::contains));
    return replacing(List.of(current), List.of(changed));
  }

  /** Records a range's leader (or that it is unknown); the epoch does not change. */
  public RangeTable withLeader(long rangeId, Optional<String> leader) {
    RangeDescriptor current = require(rangeId);
    RangeDescriptor changed = current.withLeader(leader);
    return changed.equals(current) ? this : replacing(List.of(current), List.of(changed));
  }

  private RangeDescriptor require(long rangeId) {
    return index.byId(rangeId)
        .orElseThrow(() -> new IllegalArgumentException("no range " + rangeId + " in the table"));
  }

  private RangeTable replacing(List<RangeDescriptor> removed, List<RangeDescriptor> added) {
    List<RangeDescriptor> next = new ArrayList<>(index.all());
    next.removeAll(removed);
    next.addAll(added);
    // Re-validated on purpose: a mistake in an operation above fails here, not in a router.
    return new RangeTable(next);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RangeTable other && ranges().equals(other.ranges());
  }

  @Override
  public int hashCode() {
    return Objects.hash(ranges());
  }

  @Override
  public String toString() {
    return "RangeTable" + ranges();
  }
}
