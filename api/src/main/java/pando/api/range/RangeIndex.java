package pando.api.range;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pando.api.HashRange;

/**
 * Range descriptors sorted by start, no two overlapping and no id used twice; gaps are allowed.
 *
 * <p>The lookup structure shared by {@link RangeTable} (which adds "no gaps") and {@link
 * RouteCache} (which allows them). Lookups by hash are binary searches over the starts.
 */
final class RangeIndex {
  private static final Comparator<RangeDescriptor> BY_START =
      Comparator.comparing(d -> d.bounds().start(), Long::compareUnsigned);

  private final List<RangeDescriptor> ranges;
  private final long[] starts;
  private final Map<Long, RangeDescriptor> byId;

  RangeIndex(Collection<RangeDescriptor> descriptors) {
    List<RangeDescriptor> sorted = new ArrayList<>(List.copyOf(descriptors));
    sorted.sort(BY_START);
    Map<Long, RangeDescriptor> ids = new HashMap<>();
    for (RangeDescriptor d : sorted) {
      RangeDescriptor previous = ids.putIfAbsent(d.rangeId(), d);
      if (previous != null) {
        throw new IllegalArgumentException(
            "range id " + d.rangeId() + " is used twice: " + previous.bounds() + " and " + d.bounds());
      }
    }
    // Sorted by start, so an overlap always shows between neighbours.
    for (int i = 1; i < sorted.size(); i++) {
      RangeDescriptor left = sorted.get(i - 1);
      RangeDescriptor right = sorted.get(i);
      if (Bounds.overlaps(left.bounds(), right.bounds())) {
        throw new IllegalArgumentException(left.name() + " overlaps " + right.name());
      }
    }
    this.ranges = List.copyOf(sorted);
    this.starts = sorted.stream().mapToLong(d -> d.bounds().start()).toArray();
    this.byId = Map.copyOf(ids);
  }

  /** All descriptors, sorted by start. */
  List<RangeDescriptor> all() {
    return ranges;
  }

  Optional<RangeDescriptor> byId(long rangeId) {
    return Optional.ofNullable(byId.get(rangeId));
  }

  /** The descriptor whose bounds contain the hash, if any. */
  Optional<RangeDescriptor> covering(long hash) {
    int i = floorIndex(hash);
    return i >= 0 && ranges.get(i).contains(hash) ? Optional.of(ranges.get(i)) : Optional.empty();
  }

  /** The descriptors sharing at least one hash with {@code span}, sorted by start. */
  List<RangeDescriptor> overlapping(HashRange span) {
    List<RangeDescriptor> result = new ArrayList<>();
    // Only the range at or before span.start can reach into span from the left.
    for (int i = Math.max(floorIndex(span.start()), 0); i < ranges.size(); i++) {
      RangeDescriptor d = ranges.get(i);
      if (!Bounds.below(d.bounds().start(), span.end())) {
        break;
      }
      if (Bounds.overlaps(d.bounds(), span)) {
        result.add(d);
      }
    }
    return result;
  }

  /** The parts of the hash space no descriptor covers, in order. */
  List<HashRange> gaps() {
    List<HashRange> gaps = new ArrayList<>();
    long next = 0;
    boolean reachedEnd = false;
    for (RangeDescriptor d : ranges) {
      if (d.bounds().start() != next) {
        gaps.add(new HashRange(next, d.bounds().start()));
      }
      next = d.bounds().end();
      reachedEnd = next == 0;
    }
    if (!reachedEnd) {
      gaps.add(new HashRange(next, 0));
    }
    return gaps;
  }

  /** Index of the last range starting at or below {@code hash} (unsigned), or -1 if none does. */
  private int floorIndex(long hash) {
    int lo = 0;
    int hi = starts.length - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (Long.compareUnsigned(starts[mid], hash) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
