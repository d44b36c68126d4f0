package pando.api.range;

import pando.api.HashRange;

/** Unsigned comparisons on {@link HashRange}s, whose {@code end == 0} stands for 2^64. */
final class Bounds {
  private Bounds() {}

  /** True if the two ranges share at least one hash. */
  static boolean overlaps(HashRange a, HashRange b) {
    return below(a.start(), b.end()) && below(b.start(), a.end());
  }

  /** True if {@code hash < end}, reading {@code end == 0} as 2^64. */
  static boolean below(long hash, long end) {
    return end == 0 || Long.compareUnsigned(hash, end) < 0;
  }

  static String hex(long hash) {
    return String.format("%016x", hash);
  }
}
