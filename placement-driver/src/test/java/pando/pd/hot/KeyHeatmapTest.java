package pando.pd.hot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import pando.api.HashRange;

class KeyHeatmapTest {
  private static final List<HashRange> FOUR = HashRange.evenSplit(4);

  private static RangeLoad load(long rangeId, HashRange bounds, double reads, double writes) {
    return new RangeLoad(rangeId, bounds, Duration.ofSeconds(10), reads, writes, 0, 0, List.of());
  }

  @Test
  void aRangesRateIsSpreadOverTheBucketsItCoversByWidth() {
    KeyHeatmap map = new KeyHeatmap(8, Duration.ofSeconds(5), 10);
    // Range 2 covers a quarter of the space, buckets 2 and 3 of 8; range 4 the last quarter.
    map.offer(0, 0, List.of(load(2, FOUR.get(1), 100, 10), load(4, FOUR.get(3), 8, 0)), FOUR);
    KeyHeatmap.Sample sample = map.samples().get(0);
    assertArrayEquals(new float[] {0, 0, 50, 50, 0, 0, 4, 4}, sample.readsPerSec());
    assertArrayEquals(new float[] {0, 0, 5, 5, 0, 0, 0, 0}, sample.writesPerSec());
    assertArrayEquals(FOUR.stream().mapToLong(HashRange::start).toArray(), sample.rangeStarts(),
        "range starts in unsigned order, the first 0");
  }

  @Test
  void aRangeWithinOneBucketPutsAllItsRateThere() {
    KeyHeatmap map = new KeyHeatmap(4, Duration.ofSeconds(5), 10);
    HashRange narrow = new HashRange(0xC000_0000_0000_0010L, 0xC000_0000_0000_0020L);
    map.offer(0, 0, List.of(load(7, narrow, 30, 3)), List.of(narrow));
    assertArrayEquals(new float[] {0, 0, 0, 30}, map.samples().get(0).readsPerSec());
  }

  @Test
  void samplesOncePerPeriodOfTheMonotonicClockAndKeepsOnlyTheNewest() {
    KeyHeatmap map = new KeyHeatmap(4, Duration.ofSeconds(5), 3);
    assertTrue(map.offer(1_000, 1_000, List.of(), FOUR));
    assertFalse(map.offer(5_999, 5_999, List.of(), FOUR), "less than a period after the last sample");
    for (long at = 6_000; at <= 21_000; at += 5_000) {
      assertTrue(map.offer(at, at + 7, List.of(), FOUR));
    }
    assertEquals(List.of(11_007L, 16_007L, 21_007L), map.samples().stream().map(KeyHeatmap.Sample::atMs).toList());
  }

  @Test
  void refusesAShapeThatCannotHoldASample() {
    assertThrows(IllegalArgumentException.class, () -> new KeyHeatmap(0, Duration.ofSeconds(5), 10));
    assertThrows(IllegalArgumentException.class, () -> new KeyHeatmap(8, Duration.ZERO, 10));
  }
}
