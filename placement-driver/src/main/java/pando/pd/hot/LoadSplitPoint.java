package pando.pd.hot;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeMap;
import pando.api.HashRange;

/**
 * Where to split a hot range so that each half gets about half its load: the load median over the
 * hash space.
 *
 * <p>The load model, for a range {@code [start, end)} of width {@code W} and a sketch that counted
 * {@code N} operations: each sampled key contributes its certain count {@code g = count - error}
 * as a point mass at its hash (keys sharing a hash are one mass: no split can separate them); the
 * remainder {@code R = N - sum(g)} (operations of keys not sampled, and the sketch's error) is
 * spread uniformly over the range. The load left of a point {@code p}, {@code L(p)}, is then the
 * masses at hashes below {@code p} plus {@code R * (p - start) / W}. A split at {@code p} makes
 * {@code [start, p)} and {@code [p, end)}.
 *
 * <p>{@link #of} returns the smallest {@code p} with {@code L(p) >= N / 2}, except that where a mass
 * at hash {@code h} carries {@code L} across {@code N / 2} it returns whichever of {@code h} (the
 * key goes right) and {@code h + 1} (it goes left) leaves {@code L(p)} closer to {@code N / 2} (on a
 * tie, {@code h}); then clamped to {@code start + 1 .. end - 1}, so both halves are non-empty. It
 * is empty when the range cannot be split usefully: nothing was counted, the range is a single
 * hash, or one mass exceeds {@code N / 2} (a single key dominates: splitting cannot spread it, it
 * is a hot-key case). Samples whose hash lies outside the bounds (a report from before a split) are
 * ignored. Arithmetic on positions is in doubles, so the point is exact up to about {@code W /
 * 2^52}, far finer than any key spacing that matters for load.
 */
public final class LoadSplitPoint {
  private static final double TWO_TO_64 = 0x1p64;

  private LoadSplitPoint() {}

  /** A point mass: the certain operations of the keys at one hash. */
  record Mass(long hash, long operations) {}

  /** The split point, or empty as described in the class comment. */
  public static OptionalLong of(HashRange bounds, long sketchTotal, Collection<KeySample> samples) {
    List<Mass> masses = masses(bounds, samples);
    long keyed = masses.stream().mapToLong(Mass::operations).sum();
    if (sketchTotal <= 0 || keyed > sketchTotal) {
      if (keyed > sketchTotal) {
        throw new IllegalArgumentException(
            "samples guarantee " + keyed + " operations, more than the " + sketchTotal + " counted");
      }
      return OptionalLong.empty();
    }
    double half = sketchTotal / 2.0;
    if (dominant(bounds, sketchTotal, samples).isPresent() || width(bounds) < 2) {
      return OptionalLong.empty();
    }
    double width = width(bounds);
    double uniformPerHash = (sketchTotal - keyed) / width;
    double left = 0;
    // Positions are offsets from start, exact as unsigned longs; doubles only for the uniform part.
    long previousOffset = 0;
    for (Mass mass : masses) {
      long offset = mass.hash() - bounds.start();
      double uniform = uniformPerHash * (unsigned(offset) - unsigned(previousOffset));
      if (left + uniform >= half && uniformPerHash > 0) {
        double at = unsigned(previousOffset) + (half - left) / uniformPerHash;
        return OptionalLong.of(hashAt(bounds, within(toUnsigned(Math.ceil(at)), previousOffset, offset)));
      }
      left += uniform;
      if (left + mass.operations() >= half) {
        boolean keyLeft = Math.abs(left + mass.operations() - half) < Math.abs(left - half);
        long lastOffset = bounds.end() - 1 - bounds.start();
        // A key on the last hash cannot go left: the right half would be empty.
        boolean fitsLeft = keyLeft && offset != lastOffset;
        return OptionalLong.of(hashAt(bounds, fitsLeft ? offset + 1 : offset));
      }
      left += mass.operations();
      previousOffset = offset;
    }
    double at = unsigned(previousOffset) + (half - left) / uniformPerHash;
    long lastOffset = bounds.end() - 1 - bounds.start();
    return OptionalLong.of(hashAt(bounds, within(toUnsigned(Math.ceil(at)), previousOffset, lastOffset)));
  }

  /**
   * The hash of the one mass that holds more than half the load, if any: such a range is a hot-key
   * case, not a split case.
   */
  public static OptionalLong dominant(
      HashRange bounds, long sketchTotal, Collection<KeySample> samples) {
    return masses(bounds, samples).stream()
        .filter(m -> m.operations() > sketchTotal / 2.0)
        .mapToLong(Mass::hash)
        .findFirst();
  }

  /** The samples inside the bounds, merged by hash and sorted by position in the range. */
  static List<Mass> masses(HashRange bounds, Collection<KeySample> samples) {
    TreeMap<Long, Long> byOffset = new TreeMap<>(Long::compareUnsigned);
    for (KeySample sample : samples) {
      if (bounds.contains(sample.keyHash()) && sample.guaranteed() > 0) {
        byOffset.merge(sample.keyHash() - bounds.start(), sample.guaranteed(), Long::sum);
      }
    }
    List<Mass> masses = new ArrayList<>(byOffset.size());
    byOffset.forEach((offset, operations) -> masses.add(new Mass(bounds.start() + offset, operations)));
    return masses;
  }

  /** The load left of {@code point} under the model; for tests and reports. */
  static double loadBelow(HashRange bounds, long sketchTotal, Collection<KeySample> samples, long point) {
    List<Mass> masses = masses(bounds, samples);
    long keyed = masses.stream().mapToLong(Mass::operations).sum();
    double pointOffset = unsigned(point - bounds.start());
    double load = (sketchTotal - keyed) / width(bounds) * pointOffset;
    for (Mass mass : masses) {
      if (Long.compareUnsigned(mass.hash() - bounds.start(), point - bounds.start()) < 0) {
        load += mass.operations();
      }
    }
    return load;
  }

  /** {@code end - start} as a double; {@code 2^64} for the full space. */
  static double width(HashRange bounds) {
    return bounds.end() == bounds.start() ? TWO_TO_64 : unsigned(bounds.end() - bounds.start());
  }

  /** {@code offset} limited to {@code low + 1 .. high}, unsigned, where low < high. */
  private static long within(long offset, long low, long high) {
    if (Long.compareUnsigned(offset, low) <= 0) {
      return low + 1;
    }
    return Long.compareUnsigned(offset, high) > 0 ? high : offset;
  }

  /** The hash at {@code offset} from start, clamped to {@code start + 1 .. end - 1}. */
  private static long hashAt(HashRange bounds, long offset) {
    long lastOffset = bounds.end() - 1 - bounds.start();
    if (offset == 0) {
      return bounds.start() + 1;
    }
    if (Long.compareUnsigned(offset, lastOffset) > 0) {
      offset = lastOffset;
    }
    return bounds.start() + offset;
  }

  private static double unsigned(long value) {
    double d = (double) (value & Long.MAX_VALUE);
    return value < 0 ? d + 0x1p63 : d;
  }

  /** A non-negative double, below 2^64, as an unsigned long. */
  private static long toUnsigned(double value) {
    if (value >= 0x1p64) {
      return -1L;
    }
    return value >= 0x1p63 ? ((long) (value - 0x1p63)) ^ Long.MIN_VALUE : (long) value;
  }
}
