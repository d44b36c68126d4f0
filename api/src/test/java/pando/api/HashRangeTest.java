package pando.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HashRangeTest {
  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 8, 1000})
  void evenSplitTilesTheWholeSpaceWithoutGaps(int count) {
    List<HashRange> ranges = HashRange.evenSplit(count);
    assertThat(ranges).hasSize(count);
    assertThat(ranges.get(0).start()).isZero();
    assertThat(ranges.get(count - 1).end()).isZero();
    for (int i = 1; i < count; i++) {
      assertThat(ranges.get(i).start()).isEqualTo(ranges.get(i - 1).end());
    }
  }

  @Test
  void everyHashFallsInExactlyOneRange() {
    List<HashRange> ranges = HashRange.evenSplit(8);
    Random random = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      long hash = i < 4 ? new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE}[i] : random.nextLong();
      assertThat(ranges.stream().filter(r -> r.contains(hash)).count()).as("hash %x", hash).isEqualTo(1);
    }
  }

  @Test
  void fullRangeContainsBothEndsOfTheSpace() {
    assertThat(HashRange.full().contains(0)).isTrue();
    assertThat(HashRange.full().contains(-1L)).isTrue();
  }

  @Test
  void rejectsEmptyOrInvertedBounds() {
    assertThatThrownBy(() -> new HashRange(5, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HashRange(-1L, 5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HashRange.evenSplit(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void keyHashIsTheFixedMurmur3Value() {
    // Pinned values: if these change, every stored key would move to another range.
    assertThat(KeyHash.of("a".getBytes(StandardCharsets.UTF_8))).isEqualTo(0x85555565f6597889L);
    assertThat(KeyHash.of("pando".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(KeyHash.of("pando".getBytes(StandardCharsets.UTF_8)));
  }
}
