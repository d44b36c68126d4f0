package pando.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.HashRange;
import pando.api.KeyHash;
import pando.internal.v1.SplitCommand;

/** Where a range may be split, and whether: the median of its key hashes, and the refusal rules. */
class SplitPointTest {
  private static final long HALF = Long.MIN_VALUE; // 2^63 as an unsigned hash

  private static byte[] b(String s) {
    return s.getBytes(UTF_8);
  }

  private static long hash(String key) {
    return KeyHash.of(b(key));
  }

  private static List<byte[]> keys(String... names) {
    return Arrays.stream(names).map(SplitPointTest::b).toList();
  }

  /** The median the test expects: the hashes in bounds, sorted unsigned, element n/2. */
  private static long expectedMedian(HashRange bounds, String... names) {
    List<Long> hashes = new ArrayList<>();
    for (String name : names) {
      if (bounds.contains(hash(name))) {
        hashes.add(hash(name));
      }
    }
    hashes.sort(Long::compareUnsigned);
    return hashes.get(hashes.size() / 2);
  }

  static Stream<Arguments> keySets() {
    return Stream.of(
        Arguments.of("two keys", new String[] {"k0", "k2"}),
        Arguments.of("three keys", new String[] {"k0", "k2", "k4"}),
        Arguments.of("four keys", new String[] {"k3", "k10", "k4", "k11"}),
        Arguments.of("five keys", new String[] {"k9", "k3", "k6", "k0", "k2"}),
        Arguments.of("twelve keys on both sides of 2^63",
            IntStream.range(0, 12).mapToObj(i -> "k" + i).toArray(String[]::new)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keySets")
  void theMedianIsTheMiddleHashInUnsignedOrderAndLeavesKeysOnBothSides(String name, String[] names) {
    HashRange full = HashRange.full();
    OptionalLong median = SplitPoint.median(full, keys(names));

    long expected = expectedMedian(full, names);
    assertThat(median).hasValue(expected);
    long below = Arrays.stream(names).filter(k -> Long.compareUnsigned(hash(k), expected) < 0).count();
    long atOrAbove = names.length - below;
    // The right half takes the median and above: at least one key on each side, the right never smaller.
    assertThat(below).isEqualTo(names.length / 2).isPositive();
    assertThat(atOrAbove).isGreaterThanOrEqualTo(below);
  }

  @Test
  void theOrderOfTheKeysDoesNotMatter() {
    List<byte[]> keys = new ArrayList<>(keys("k0", "k1", "k2", "k3", "k4", "k5", "k6"));
    OptionalLong first = SplitPoint.median(HashRange.full(), keys);
    Collections.reverse(keys);
    assertThat(SplitPoint.median(HashRange.full(), keys)).isEqualTo(first);
    Collections.shuffle(keys, new java.util.Random(3));
    assertThat(SplitPoint.median(HashRange.full(), keys)).isEqualTo(first);
  }

  @Test
  void hashesAboveTwoToTheSixtyThirdSortAboveTheOthers() {
    // k1, k5, k7, k8 hash above 2^63 (negative as a signed long); k0, k2 below.
    assertThat(Stream.of("k1", "k5", "k7", "k8").mapToLong(SplitPointTest::hash)).allMatch(h -> h < 0);
    assertThat(Stream.of("k0", "k2").mapToLong(SplitPointTest::hash)).allMatch(h -> h >= 0);
    String[] names = {"k1", "k5", "k7", "k8", "k0", "k2"};

    OptionalLong median = SplitPoint.median(HashRange.full(), keys(names));

    // Unsigned: k2 < k0 < k1 < k8 < k5 < k7, so the median (element 3) is k8.
    long[] unsigned = Arrays.stream(names).mapToLong(SplitPointTest::hash).boxed()
        .sorted(Long::compareUnsigned).mapToLong(Long::longValue).toArray();
    assertThat(unsigned).containsExactly(hash("k2"), hash("k0"), hash("k1"), hash("k8"), hash("k5"), hash("k7"));
    assertThat(median).hasValue(hash("k8"));
    // A signed sort would have picked another key.
    long[] signed = Arrays.stream(names).mapToLong(SplitPointTest::hash).sorted().toArray();
    assertThat(signed[3]).isNotEqualTo(hash("k8"));
  }

  @Test
  void keysOutsideTheBoundsAreIgnored() {
    String[] all = IntStream.range(0, 12).mapToObj(i -> "k" + i).toArray(String[]::new);
    HashRange lowHalf = new HashRange(0, HALF);
    HashRange highHalf = new HashRange(HALF, 0);

    assertThat(SplitPoint.median(lowHalf, keys(all))).hasValue(expectedMedian(lowHalf, all));
    assertThat(SplitPoint.median(highHalf, keys(all))).hasValue(expectedMedian(highHalf, all));
    // Only the keys inside count: the same median as with the outside keys left out.
    String[] lowOnly = Arrays.stream(all).filter(k -> hash(k) >= 0).toArray(String[]::new);
    assertThat(lowOnly).hasSize(8);
    assertThat(SplitPoint.median(lowHalf, keys(all))).isEqualTo(SplitPoint.median(HashRange.full(), keys(lowOnly)));
    assertThat(SplitPoint.median(lowHalf, keys(all)).getAsLong()).isNotEqualTo(expectedMedian(HashRange.full(), all));
  }

  static Stream<Arguments> tooFewKeys() {
    return Stream.of(
        Arguments.of("no keys", HashRange.full(), new String[] {}),
        Arguments.of("one key", HashRange.full(), new String[] {"k0"}),
        // k0 and k2 hash below 2^63, k1 above: only k1 is inside the upper half.
        Arguments.of("one key inside the bounds, others outside", new HashRange(HALF, 0), new String[] {"k0", "k1", "k2"}),
        Arguments.of("every key outside the bounds", new HashRange(HALF, 0), new String[] {"k0", "k2", "k3"}),
        Arguments.of("the same key twice (one distinct hash)", HashRange.full(), new String[] {"k0", "k0"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tooFewKeys")
  void fewerThanTwoDistinctHashesInsideTheBoundsGiveNoMedian(String name, HashRange bounds, String[] names) {
    assertThat(SplitPoint.median(bounds, keys(names))).isEmpty();
  }

  @Test
  void manyKeysSplitIntoHalves() {
    List<byte[]> keys = IntStream.range(0, 1001).mapToObj(i -> b("key-" + i)).toList();
    long median = SplitPoint.median(HashRange.full(), keys).orElseThrow();
    long below = keys.stream().filter(k -> Long.compareUnsigned(KeyHash.of(k), median) < 0).count();
    assertThat(below).isEqualTo(500);
  }

  private static SplitCommand command(long newRangeId, long expectedVersion) {
    return SplitCommand.newBuilder().setNewRangeId(newRangeId).setExpectedVersion(expectedVersion).build();
  }

  static Stream<Arguments> refusals() {
    return Stream.of(
        Arguments.of("matching version, positive id", 1L, command(5, 1), null),
        Arguments.of("matching later version", 4L, command(5, 4), null),
        Arguments.of("expected version behind", 2L, command(5, 1), "not the expected 1"),
        Arguments.of("expected version ahead", 2L, command(5, 3), "not the expected 3"),
        Arguments.of("expected version unset", 1L, command(5, 0), "not the expected 0"),
        Arguments.of("new range id zero", 1L, command(0, 1), "must be positive, got 0"),
        Arguments.of("new range id negative", 1L, command(-2, 1), "must be positive, got -2"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusals")
  void aSplitIsRefusedOnAStaleVersionOrANonPositiveNewId(String name, long version, SplitCommand split, String reason) {
    Optional<String> refusal = SplitPoint.refusal(version, HashRange.full(), split);
    if (reason == null) {
      assertThat(refusal).isEmpty();
    } else {
      assertThat(refusal).hasValueSatisfying(r -> assertThat(r).contains(reason));
    }
  }
}
