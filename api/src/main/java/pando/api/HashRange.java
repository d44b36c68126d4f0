package pando.api;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A contiguous slice {@code [start, end)} of the unsigned 64-bit hash space.
 *
 * <p>Both bounds are unsigned. Because {@code 2^64} does not fit in a long, {@code end == 0} stands
 * for the end of the space; a range can therefore never be empty, and the full space is {@code
 * [0, 0)}.
 */
public record HashRange(long start, long end) {
  private static final BigInteger SPACE = BigInteger.ONE.shiftLeft(64);

  public HashRange {
    if (end != 0 && Long.compareUnsigned(start, end) >= 0) {
      throw new IllegalArgumentException(
          "range start must be below its end: [" + hex(start) + ", " + hex(end) + ")");
    }
  }

  public static HashRange full() {
    return new HashRange(0, 0);
  }

  /** True if the hash lies in this range. */
  public boolean contains(long hash) {
    return Long.compareUnsigned(hash, start) >= 0
        && (end == 0 || Long.compareUnsigned(hash, end) < 0);
  }

  /** Cuts the whole hash space into {@code count} contiguous ranges of (nearly) equal width. */
  public static List<HashRange> evenSplit(int count) {
    if (count < 1 || count > 65_536) {
      throw new IllegalArgumentException("range count must be in 1..65536, got " + count);
    }
    List<HashRange> ranges = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ranges.add(new HashRange(boundary(i, count), boundary(i + 1, count)));
    }
    return List.copyOf(ranges);
  }

  /** floor(i * 2^64 / count), wrapped so that i == count gives 0 (the end of the space). */
  private static long boundary(int i, int count) {
    return SPACE.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(count)).longValue();
  }

  @Override
  public String toString() {
    return "[" + hex(start) + ", " + (end == 0 ? "end" : hex(end)) + ")";
  }

  private static String hex(long v) {
    return String.format("%016x", v);
  }
}
