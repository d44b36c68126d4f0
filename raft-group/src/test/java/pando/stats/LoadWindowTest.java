package pando.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import pando.stats.LoadWindow.Rates;

class LoadWindowTest {
  private static final long SECOND = 1_000_000_000L;

  static LongStream seeds() {
    return LongStream.of(3, 17, new Random().nextLong());
  }

  @Test
  void steadyLoadIsReportedAtItsRate() {
    LoadWindow window = new LoadWindow(Duration.ofSeconds(10), 10, 0);
    for (long ms = 0; ms < 30_000; ms += 10) {
      window.record(ms * 1_000_000, 5, 2, 700); // per 10 ms: 500 reads/s, 200 writes/s
    }
    Rates rates = window.rates(30 * SECOND);
    assertThat(rates.readsPerSec()).isCloseTo(500, within(1.0));
    assertThat(rates.writesPerSec()).isCloseTo(200, within(1.0));
    assertThat(rates.bytesPerSec()).isCloseTo(70_000, within(100.0));
    assertThat(rates.opsPerSec()).isCloseTo(700, within(2.0));
  }

  /** Rates as time passes after one burst of 100 reads at t = 0.5 s, window 4 s in 4 buckets. */
  @ParameterizedTest(name = "at {0} ms: {1} reads/s")
  @CsvSource({
    // Less than a bucket since the start: divided by one bucket width, not by 0.5 s.
    "500, 100",
    "1000, 100",
    "2000, 50",
    // The burst's bucket [0 s, 1 s) is among the last four buckets until t = 4 s.
    "3999, 25.006",
    "4000, 0",
    "60000, 0",
  })
  void aBurstCountsForOneWindowAndThenLeaves(long atMs, double readsPerSec) {
    LoadWindow window = new LoadWindow(Duration.ofSeconds(4), 4, 0);
    window.record(500 * 1_000_000L, 100, 0, 0);
    assertThat(window.rates(atMs * 1_000_000).readsPerSec()).isCloseTo(readsPerSec, within(0.01));
  }

  @Test
  void aSlotReusedForANewBucketForgetsTheOldCounts() {
    LoadWindow window = new LoadWindow(Duration.ofSeconds(2), 2, 0);
    window.record(0, 1_000, 0, 0);
    window.record(2 * SECOND, 10, 0, 0); // same slot as t = 0, two buckets later
    assertThat(window.rates(2 * SECOND + SECOND / 2).readsPerSec()).isCloseTo(10 / 1.5, within(1e-9));
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void ratesMatchABruteForceCountOfTheLastBuckets(long seed) {
    Random random = new Random(seed);
    int buckets = 1 + random.nextInt(20);
    long bucketNanos = 1 + random.nextInt(1_000_000);
    long start = random.nextLong() / 4; // nanoTime may be negative
    LoadWindow window = new LoadWindow(Duration.ofNanos(bucketNanos * buckets), buckets, start);
    long[] times = new long[2_000];
    long[] reads = new long[times.length];
    long now = start;
    for (int i = 0; i < times.length; i++) {
      now += random.nextInt((int) Math.min(Integer.MAX_VALUE, bucketNanos * 3));
      times[i] = now;
      reads[i] = random.nextInt(50);
      window.record(now, reads[i], 0, 0);
      if (random.nextInt(10) == 0) {
        long current = Math.floorDiv(now, bucketNanos);
        long oldest = current - buckets + 1;
        long sum = 0;
        for (int j = 0; j <= i; j++) {
          long bucket = Math.floorDiv(times[j], bucketNanos);
          if (bucket >= oldest) {
            sum += reads[j];
          }
        }
        double seconds = Math.max(bucketNanos, now - Math.max(start, oldest * bucketNanos)) / 1e9;
        assertThat(window.rates(now).readsPerSec())
            .as("seed %d, step %d", seed, i)
            .isCloseTo(sum / seconds, within(1e-6 * Math.max(1, sum / seconds)));
      }
    }
  }

  @Test
  void timeMustNotGoBackwardsAndCountsMustNotBeNegative() {
    LoadWindow window = new LoadWindow(Duration.ofSeconds(1), 10, 100);
    window.record(200, 1, 1, 1);
    assertThatThrownBy(() -> window.record(150, 1, 1, 1)).hasMessageContaining("backwards");
    assertThatThrownBy(() -> window.rates(199)).hasMessageContaining("backwards");
    assertThatThrownBy(() -> window.record(300, -1, 0, 0)).hasMessageContaining("negative");
  }

  @Test
  void bucketCountsAndWindowsOutsideTheirLimitsAreRefused() {
    assertThatThrownBy(() -> new LoadWindow(Duration.ofSeconds(1), 0, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LoadWindow(Duration.ofSeconds(1), 1025, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LoadWindow(Duration.ofNanos(3), 4, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
