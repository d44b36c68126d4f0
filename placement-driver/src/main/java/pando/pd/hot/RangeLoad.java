package pando.pd.hot;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import pando.api.HashRange;

/**
 * One range's load over one window, as its leader reports it in a heartbeat.
 *
 * @param rangeId the range
 * @param bounds its bounds when the report was made
 * @param window how long the sketch counted; positive
 * @param readsPerSec the range's reads per second (from its load window)
 * @param writesPerSec its writes (Put, Delete, Cas, Incr) per second
 * @param sketchTotal every operation the sketch counted in the window, {@code N}; at least the sum of
 *     the samples' guaranteed counts
 * @param unseenMax the most operations a key missing from {@code topKeys} can have had (the
 *     sketch's smallest count once full, else 0)
 * @param topKeys the sketch's counters, any order
 */
public record RangeLoad(
    long rangeId, HashRange bounds, Duration window, double readsPerSec, double writesPerSec,
    long sketchTotal, long unseenMax, List<KeySample> topKeys) {
  public RangeLoad {
    Objects.requireNonNull(bounds, "bounds");
    Objects.requireNonNull(window, "window");
    topKeys = List.copyOf(topKeys);
    if (rangeId < 1) {
      throw new IllegalArgumentException("range id must be positive, got " + rangeId);
    }
    if (window.isZero() || window.isNegative()) {
      throw new IllegalArgumentException("window must be positive, got " + window);
    }
    // Written so that NaN fails too.
    if (!(readsPerSec >= 0 && writesPerSec >= 0)
        || Double.isInfinite(readsPerSec) || Double.isInfinite(writesPerSec)) {
      throw new IllegalArgumentException(
          "rates must be finite and not negative, got reads/s=" + readsPerSec
              + " writes/s=" + writesPerSec);
    }
    if (sketchTotal < 0 || unseenMax < 0) {
      throw new IllegalArgumentException("sketch total and unseen bound must not be negative");
    }
    long guaranteed = topKeys.stream().mapToLong(KeySample::guaranteed).sum();
    if (guaranteed > sketchTotal) {
      throw new IllegalArgumentException(
          "range " + rangeId + ": samples guarantee " + guaranteed + " operations, more than the "
              + sketchTotal + " counted");
    }
  }

  /** Reads and writes per second. */
  public double opsPerSec() {
    return readsPerSec + writesPerSec;
  }

  /** Refuses a list naming a range twice: callers pass the latest report of each range. */
  static void requireDistinctRanges(List<RangeLoad> reports) {
    Set<Long> ids = new HashSet<>();
    for (RangeLoad report : reports) {
      if (!ids.add(report.rangeId())) {
        throw new IllegalArgumentException(
            "range " + report.rangeId() + " is reported twice; pass the latest report of each");
      }
    }
  }

  /** {@code operations} per second over this report's window. */
  double perSec(long operations) {
    return operations / (window.toNanos() / 1e9);
  }
}
