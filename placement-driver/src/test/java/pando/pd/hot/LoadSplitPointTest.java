package pando.pd.hot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.pd.hot.Loads.atHash;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.HashRange;

class LoadSplitPointTest {
  private static final HashRange RANGE = new HashRange(1_000, 2_000);

  static LongStream seeds() {
    return LongStream.of(2, 8, 77, 123_456, new Random().nextLong());
  }

  @Test
  void uniformLoadSplitsAtTheMiddle() {
    assertThat(LoadSplitPoint.of(RANGE, 1_000, List.of())).hasValue(1_500);
    assertThat(LoadSplitPoint.of(HashRange.full(), 1_000, List.of())).hasValue(Long.MIN_VALUE);
    assertThat(LoadSplitPoint.of(new HashRange(-1_000, 0), 10, List.of())).hasValue(-500);
  }

  @Test
  void theMedianFollowsTheLoadNotTheMiddle() {
    // 450 certain at 1100, 550 spread (0.55 per hash): left of 1100 is 55, with the key 505,
    // which is nearer 500, so the key goes left.
    assertThat(LoadSplitPoint.of(RANGE, 1_000, List.of(atHash(1_100, 450, 0)))).hasValue(1_101);
    // 450 at 1100 and 150 at 1900, 400 spread (0.4 per hash): 490 up to 1101, then 0.4 per hash
    // reaches 500 at 1125.
    assertThat(LoadSplitPoint.of(RANGE, 1_000, List.of(atHash(1_100, 450, 0), atHash(1_900, 150, 0))))
        .hasValue(1_125);
    // Two keys of 300 and 200 at 1100 and 1200, 500 spread (0.5 per hash): left of 1100 is 50,
    // with the first key 350; left of 1200 is 400, with the second key 600: nearer 500 with it
    // on the right (|400 - 500| = 100 = |600 - 500|: a tie keeps it right).
    assertThat(LoadSplitPoint.of(RANGE, 1_000, List.of(atHash(1_100, 300, 0), atHash(1_200, 200, 0))))
        .hasValue(1_200);
  }

  @Test
  void theUncertainPartOfACountIsSpreadNotPlacedAtTheKey() {
    // The key counted 900 but only 100 are certain: 900 spread, so the split is near the middle.
    OptionalLong point = LoadSplitPoint.of(RANGE, 1_000, List.of(atHash(1_010, 100, 800)));
    assertThat(point.getAsLong()).isBetween(1_440L, 1_460L);
  }

  @Test
  void twoEqualKeysSplitBetweenThem() {
    assertThat(LoadSplitPoint.of(RANGE, 1_000, List.of(atHash(1_300, 500, 0), atHash(1_700, 500, 0))))
        .hasValue(1_301);
  }

  @Test
  void aKeyWithOverHalfTheLoadCannotBeSplitAway() {
    assertThat(LoadSplitPoint.of(RANGE, 1_000, List.of(atHash(1_300, 501, 0)))).isEmpty();
    assertThat(LoadSplitPoint.dominant(RANGE, 1_000, List.of(atHash(1_300, 501, 0))))
        .hasValue(1_300);
    // Exactly half is not dominance: the key goes to one side, the rest to the other.
    assertThat(LoadSplitPoint.of(RANGE, 1_000, List.of(atHash(1_300, 500, 0)))).isPresent();
    // Two keys at one hash are one mass: no split separates them.
    assertThat(LoadSplitPoint.of(RANGE, 1_000, List.of(atHash(1_300, 300, 0), atHash(1_300, 300, 0))))
        .isEmpty();
  }

  @Test
  void nothingToSplitGivesNoPoint() {
    assertThat(LoadSplitPoint.of(RANGE, 0, List.of())).isEmpty();
    assertThat(LoadSplitPoint.of(new HashRange(5, 6), 100, List.of())).isEmpty();
  }

  @Test
  void samplesOutsideTheBoundsAreIgnored() {
    assertThat(LoadSplitPoint.of(RANGE, 1_000, List.of(atHash(5_000, 900, 0)))).hasValue(1_500);
  }

  @Test
  void keysAtTheEdgesStillGiveAPointStrictlyInside() {
    assertThat(LoadSplitPoint.of(RANGE, 1_000, List.of(atHash(1_000, 500, 0)))).hasValue(1_001);
    assertThat(LoadSplitPoint.of(RANGE, 1_000, List.of(atHash(1_999, 500, 0)))).hasValue(1_999);
    assertThat(LoadSplitPoint.of(new HashRange(7, 9), 1_000, List.of(atHash(7, 400, 0))))
        .hasValue(8);
  }

  @Test
  void samplesGuaranteeingMoreThanTheTotalAreRefused() {
    assertThatThrownBy(() -> LoadSplitPoint.of(RANGE, 10, List.of(atHash(1_500, 11, 0))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * For random ranges and loads: the point lies strictly inside, and the load left of it is within
   * half the heaviest mass (plus rounding) of half the total, unless one mass dominates.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomLoadsSplitNearTheirMedianStrictlyInsideTheRange(long seed) {
    Random random = new Random(seed);
    for (int i = 0; i < 2_000; i++) {
      HashRange bounds = randomRange(random);
      double width = LoadSplitPoint.width(bounds);
      List<KeySample> samples = new ArrayList<>();
      long total = random.nextInt(3) == 0 ? 0 : random.nextInt(1_000_000);
      int keys = random.nextInt(20);
      long heaviest = 0;
      for (int k = 0; k < keys; k++) {
        long certain = random.nextInt(50_000);
        long offset = (long) (random.nextDouble() * Math.min(width, 0x1p62));
        samples.add(atHash(bounds.start() + offset, certain, random.nextInt(100)));
        total += certain + random.nextInt(200);
        heaviest = Math.max(heaviest, certain);
      }
      String where = "seed " + seed + ", case " + i + ", " + bounds;
      OptionalLong point = LoadSplitPoint.of(bounds, total, samples);
      boolean dominated = LoadSplitPoint.dominant(bounds, total, samples).isPresent();
      if (width < 2 || total == 0 || dominated) {
        assertThat(point).as(where).isEmpty();
        continue;
      }
      assertThat(point).as(where).isPresent();
      long p = point.getAsLong();
      assertThat(bounds.contains(p)).as(where).isTrue();
      assertThat(p).as(where).isNotEqualTo(bounds.start());
      // Masses at one hash merge, so the heaviest mass may exceed the heaviest key; bound by it.
      double heaviestMass = LoadSplitPoint.masses(bounds, samples).stream()
          .mapToLong(LoadSplitPoint.Mass::operations).max().orElse(0);
      double left = LoadSplitPoint.loadBelow(bounds, total, samples, p);
      // A key on the last hash must stay right, whichever side would balance better.
      boolean massAtLastHash = LoadSplitPoint.masses(bounds, samples).stream()
          .anyMatch(m -> m.hash() == bounds.end() - 1);
      double slack = (massAtLastHash ? heaviestMass : heaviestMass / 2)
          + total * (2 / width + 1e-9) + 1;
      assertThat(Math.abs(left - total / 2.0)).as(where + ", heaviest " + heaviest)
          .isLessThanOrEqualTo(slack);
    }
  }

  private static HashRange randomRange(Random random) {
    switch (random.nextInt(4)) {
      case 0:
        return HashRange.full();
      case 1:
        long start = random.nextLong() >>> 1;
        return new HashRange(start, start + 1 + random.nextInt(1_000));
      default:
        long a = random.nextLong();
        long b = random.nextLong();
        if (a == b) {
          return HashRange.full();
        }
        return Long.compareUnsigned(a, b) < 0 ? new HashRange(a, b) : new HashRange(b, a);
    }
  }
}
