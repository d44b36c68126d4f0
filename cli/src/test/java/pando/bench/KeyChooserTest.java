package pando.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyChooserTest {
  private static long[] histogram(KeyChooser chooser, int records, int draws) {
    long[] counts = new long[records];
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < draws; i++) {
      counts[(int) chooser.next(random)]++;
    }
    return counts;
  }

  @Test
  void everyDistributionStaysInsideTheRecords() {
    for (String name : new String[] {"uniform", "zipfian", "latest", "hotspot", "hotspot:0.9"}) {
      long[] counts = histogram(KeyChooser.of(name, 50, 0.99), 50, 20_000);
      assertThat(java.util.Arrays.stream(counts).sum()).as(name).isEqualTo(20_000);
    }
  }

  @Test
  void zipfianMakesTheFirstRecordsHotAndLatestTheLastOnes() {
    long[] zipf = histogram(KeyChooser.of("zipfian", 1000, 0.99), 1000, 100_000);
    long[] latest = histogram(KeyChooser.of("latest", 1000, 0.99), 1000, 100_000);
    long[] uniform = histogram(KeyChooser.of("uniform", 1000, 0.99), 1000, 100_000);
    // With theta 0.99 over 1000 records the top record draws about 13% of requests.
    assertThat(zipf[0]).isBetween(10_000L, 16_000L);
    assertThat(zipf[0]).isGreaterThan(zipf[1]).isGreaterThan(zipf[10]);
    assertThat(latest[999]).isBetween(10_000L, 16_000L);
    assertThat(uniform[0]).isBetween(50L, 160L);
  }

  @Test
  void aHotspotGivesOneRecordItsShareAndSpreadsTheRestEvenly() {
    long[] counts = histogram(KeyChooser.of("hotspot:0.5", 1000, 0.99), 1000, 100_000);
    assertThat(counts[0]).isBetween(48_500L, 51_500L);
    // The other 999 records share the other half: about 50 each.
    assertThat(counts[1]).isBetween(15L, 100L);
    assertThat(counts[999]).isBetween(15L, 100L);
  }

  @Test
  void badParametersAreRefusedWithAReadableMessage() {
    assertThatThrownBy(() -> KeyChooser.of("gaussian", 10, 0.99)).hasMessageContaining("use uniform, zipfian, latest or hotspot");
    assertThatThrownBy(() -> KeyChooser.of("hotspot:1.5", 10, 0.99)).hasMessageContaining("share must be in (0, 1)");
    assertThatThrownBy(() -> KeyChooser.of("hotspot:lots", 10, 0.99)).hasMessageContaining("share must be a number");
    assertThatThrownBy(() -> KeyChooser.of("zipfian", 10, 1.5)).hasMessageContaining("theta must be in (0, 1)");
    assertThatThrownBy(() -> KeyChooser.of("uniform", 0, 0.99)).hasMessageContaining("record count must be positive");
  }
}
