package pando.stats;

import java.time.Duration;
import java.util.Arrays;

/**
 * One range's reads, writes and bytes per second over a sliding window, in fixed memory.
 *
 * <p>The window is cut into {@code buckets} buckets of {@code window / buckets} each, aligned to
 * multiples of the bucket width on the caller's clock. {@link #record} adds counts to the bucket of
 * its time; {@link #rates} divides the counts of the last {@code buckets} buckets (the current,
 * partly elapsed one and the {@code buckets - 1} before it) by the time they span: from the start
 * of the oldest of them, or from the window's start if that is later, to now. That span is at least
 * one bucket width, so a window just started reports a low rate rather than a burst divided by a few
 * nanoseconds: the detectors act on load that lasts, and must not act on a spike. Older buckets are
 * overwritten when their slot comes round again.
 *
 * <p>Time is passed in, in nanoseconds of a monotonic clock ({@code System.nanoTime()} in a node),
 * and must not go backwards. Memory: four arrays of {@code buckets} longs. Not thread-safe.
 */
public final class LoadWindow {
  public static final int MAX_BUCKETS = 1024;

  private final long bucketNanos;
  private final int buckets;
  private final long startNanos;
  /** Which bucket (time / bucketNanos) each slot holds. */
  private final long[] bucketOfSlot;
  private final long[] reads;
  private final long[] writes;
  private final long[] bytes;
  private long latestNanos;

  /**
   * @param window the span rates are taken over; at least one nanosecond per bucket
   * @param buckets 1..1024; more buckets make the window slide more smoothly
   * @param startNanos the time the window starts counting
   */
  public LoadWindow(Duration window, int buckets, long startNanos) {
    if (buckets < 1 || buckets > MAX_BUCKETS) {
      throw new IllegalArgumentException("buckets must be in 1.." + MAX_BUCKETS + ", got " + buckets);
    }
    if (window.isNegative() || window.toNanos() < buckets) {
      throw new IllegalArgumentException(
          "window must be at least one nanosecond per bucket, got " + window);
    }
    this.bucketNanos = window.toNanos() / buckets;
    this.buckets = buckets;
    this.startNanos = startNanos;
    this.latestNanos = startNanos;
    this.bucketOfSlot = new long[buckets];
    this.reads = new long[buckets];
    this.writes = new long[buckets];
    this.bytes = new long[buckets];
    // No slot holds a real bucket yet.
    Arrays.fill(bucketOfSlot, Long.MIN_VALUE);
  }

  /** Rates per second over the window. */
  public record Rates(double readsPerSec, double writesPerSec, double bytesPerSec) {
    public double opsPerSec() {
      return readsPerSec + writesPerSec;
    }
  }

  /**
   * Adds counts at {@code nowNanos}.
   *
   * @throws IllegalArgumentException if a count is negative or time went backwards
   */
  public void record(long nowNanos, long readCount, long writeCount, long byteCount) {
    if (readCount < 0 || writeCount < 0 || byteCount < 0) {
      throw new IllegalArgumentException(
          "counts must not be negative: reads=" + readCount + " writes=" + writeCount
              + " bytes=" + byteCount);
    }
    advance(nowNanos);
    int slot = slotOf(bucketOf(nowNanos));
    reads[slot] += readCount;
    writes[slot] += writeCount;
    bytes[slot] += byteCount;
  }

  /** The rates at {@code nowNanos}, over the last {@code buckets} buckets. */
  public Rates rates(long nowNanos) {
    advance(nowNanos);
    long current = bucketOf(nowNanos);
    long oldest = current - buckets + 1;
    long readSum = 0;
    long writeSum = 0;
    long byteSum = 0;
    for (int slot = 0; slot < buckets; slot++) {
      if (bucketOfSlot[slot] >= oldest && bucketOfSlot[slot] <= current) {
        readSum += reads[slot];
        writeSum += writes[slot];
        byteSum += bytes[slot];
      }
    }
    long from = Math.max(startNanos, oldest * bucketNanos);
    double seconds = Math.max(bucketNanos, nowNanos - from) / 1e9;
    return new Rates(readSum / seconds, writeSum / seconds, byteSum / seconds);
  }

  private void advance(long nowNanos) {
    if (nowNanos < latestNanos) {
      throw new IllegalArgumentException(
          "time went backwards: " + nowNanos + " ns after " + latestNanos + " ns");
    }
    latestNanos = nowNanos;
  }

  /** Takes the slot of {@code bucket}, clearing it if it held an older bucket. */
  private int slotOf(long bucket) {
    int slot = (int) Math.floorMod(bucket, (long) buckets);
    if (bucketOfSlot[slot] != bucket) {
      bucketOfSlot[slot] = bucket;
      reads[slot] = 0;
      writes[slot] = 0;
      bytes[slot] = 0;
    }
    return slot;
  }

  private long bucketOf(long nanos) {
    return Math.floorDiv(nanos, bucketNanos);
  }
}
