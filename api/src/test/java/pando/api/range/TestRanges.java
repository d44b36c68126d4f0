package pando.api.range;

import java.util.Collections;
import java.util.List;
import java.util.Optional;
import pando.api.HashRange;

/** Shorthands for building descriptors and tables in tests. */
final class TestRanges {
  static final List<String> ABC = List.of("a", "b", "c");
  static final List<String> BCD = List.of("b", "c", "d");
  /** 2^63, the middle of the hash space. */
  static final long MID = Long.MIN_VALUE;

  private TestRanges() {}

  static RangeDescriptor range(long id, long start, long end, Epoch epoch) {
    return new RangeDescriptor(id, new HashRange(start, end), epoch, ABC, Optional.empty());
  }

  static Epoch epoch(long version, long confVersion) {
    return new Epoch(version, confVersion);
  }

  static RangeTable evenTable(int ranges) {
    return RangeTable.initial(Collections.nCopies(ranges, ABC));
  }

  /** The last hash of a range ({@code end - 1}, reading end 0 as 2^64). */
  static long lastHash(HashRange bounds) {
    return bounds.end() - 1;
  }
}
