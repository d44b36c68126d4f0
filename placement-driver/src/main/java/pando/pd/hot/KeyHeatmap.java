package pando.pd.hot;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import pando.api.HashRange;

/**
 * The load of the hash space over time, for a heatmap: hash buckets on one axis, samples on the
 * other, reads and writes per second in each cell. Bounded: a fixed number of buckets and at most
 * {@code kept} samples, the oldest dropped first, whatever the number of ranges.
 *
 * <p>A range's rate is spread evenly over the hash space it covers: keys are placed by hash, so a
 * range's load is, as far as the PD can tell, uniform across it. A bucket then shows the load of
 * its slice of the keys, and a hot narrow range stands out as brighter than a busy wide one, as it
 * should: its keys are hotter.
 */
public final class KeyHeatmap {
  public static final int DEFAULT_BUCKETS = 128;
  public static final Duration DEFAULT_SAMPLE_EVERY = Duration.ofSeconds(5);
  /** One hour at the default period. */
  public static final int DEFAULT_SAMPLES_KEPT = 720;
  private static final double TWO_TO_64 = Math.scalb(1.0, 64);

  /**
   * One sample: per bucket, reads and writes per second; and where each range started.
   *
   * @param rangeStarts the start hash of each range, ascending unsigned
   */
  public record Sample(long atMs, float[] readsPerSec, float[] writesPerSec, long[] rangeStarts) {}

  private final int buckets;
  private final long sampleEveryMs;
  private final int kept;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private long lastAtMs;
  private boolean sampled;

  public KeyHeatmap(int buckets, Duration sampleEvery, int kept) {
    if (buckets < 1 || kept < 1 || sampleEvery.isNegative() || sampleEvery.isZero()) {
      throw new IllegalArgumentException("buckets and samples kept must be positive, and the period too; got "
          + buckets + ", " + kept + ", " + sampleEvery);
    }
    this.buckets = buckets;
    this.sampleEveryMs = sampleEvery.toMillis();
    this.kept = kept;
  }

  public KeyHeatmap() {
    this(DEFAULT_BUCKETS, DEFAULT_SAMPLE_EVERY, DEFAULT_SAMPLES_KEPT);
  }

  public int buckets() {
    return buckets;
  }

  public long sampleEveryMs() {
    return sampleEveryMs;
  }

  /**
   * Takes a sample if a period has passed since the last one.
   *
   * @param nowMs a monotonic clock, to time the period (a wall clock can step)
   * @param wallClockMs the time the sample is labelled with, for people
   * @param loads the ranges' latest loads (ranges without a report count as idle)
   * @param ranges every range's bounds, for the range boundaries
   * @return whether a sample was taken
   */
  public synchronized boolean offer(long nowMs, long wallClockMs, List<RangeLoad> loads, List<HashRange> ranges) {
    if (sampled && nowMs - lastAtMs < sampleEveryMs) {
      return false;
    }
    float[] reads = new float[buckets];
    float[] writes = new float[buckets];
    for (RangeLoad load : loads) {
      spread(reads, load.bounds(), load.readsPerSec());
      spread(writes, load.bounds(), load.writesPerSec());
    }
    long[] starts = unsignedOrder(ranges.stream().mapToLong(HashRange::start).sorted().toArray());
    samples.addLast(new Sample(wallClockMs, reads, writes, starts));
    while (samples.size() > kept) {
      samples.removeFirst();
    }
    lastAtMs = nowMs;
    sampled = true;
    return true;
  }

  /** The samples kept, oldest first. */
  public synchronized List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** Adds {@code rate} to the buckets {@code range} overlaps, each its share of the range's width. */
  void spread(float[] into, HashRange range, double rate) {
    if (rate <= 0) {
      return;
    }
    // Positions as doubles, which round a narrow range's width away: the shares are normalised by
    // their sum, and a range too narrow to measure goes whole to the bucket it starts in.
    double start = unsigned(range.start());
    double end = range.end() == 0 ? TWO_TO_64 : unsigned(range.end());
    double bucketWidth = TWO_TO_64 / buckets;
    int first = (int) Math.min(buckets - 1, Math.floor(start / bucketWidth));
    int last = (int) Math.max(first, Math.min(buckets - 1, Math.floor(Math.nextDown(end) / bucketWidth)));
    double[] overlaps = new double[last - first + 1];
    double total = 0;
    for (int b = first; b <= last; b++) {
      overlaps[b - first] = Math.max(0, Math.min(end, (b + 1) * bucketWidth) - Math.max(start, b * bucketWidth));
      total += overlaps[b - first];
    }
    if (total <= 0) {
      into[first] += (float) rate;
      return;
    }
    for (int b = first; b <= last; b++) {
      into[b] += (float) (rate * overlaps[b - first] / total);
    }
  }

  private static double unsigned(long value) {
    return (double) (value >>> 1) * 2 + (value & 1);
  }

  private static long[] unsignedOrder(long[] signedSorted) {
    // Signed order puts hashes with the top bit set first; unsigned order puts them last.
    int firstNonNegative = 0;
    while (firstNonNegative < signedSorted.length && signedSorted[firstNonNegative] < 0) {
      firstNonNegative++;
    }
    long[] out = new long[signedSorted.length];
    int n = signedSorted.length - firstNonNegative;
    System.arraycopy(signedSorted, firstNonNegative, out, 0, n);
    System.arraycopy(signedSorted, 0, out, n, firstNonNegative);
    return out;
  }
}
