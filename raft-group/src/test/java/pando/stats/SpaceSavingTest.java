package pando.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.KeyHash;
import pando.stats.SpaceSaving.Access;
import pando.stats.SpaceSaving.Entry;

class SpaceSavingTest {

  static LongStream seeds() {
    return LongStream.of(1, 5, 99, 31_337, new Random().nextLong());
  }

  @Test
  void countsAreExactWhileDistinctKeysFitTheCapacity() {
    SpaceSaving sketch = new SpaceSaving(5, 256);
    sketch.offer(key("a"), Access.READ, 5);
    sketch.offer(key("b"), Access.WRITE, 3);
    sketch.offer(key("a"), Access.INCREMENT, 2);
    sketch.offer(key("c"), Access.READ, 1);
    sketch.offer(key("d"), Access.READ, 4);

    assertThat(sketch.top(10))
        .extracting(e -> e.key().bytes().toStringUtf8(), Entry::count, Entry::error)
        .containsExactly(
            tuple("a", 7L, 0L),
            tuple("d", 4L, 0L),
            tuple("b", 3L, 0L),
            tuple("c", 1L, 0L));
    Entry a = sketch.top(1).get(0);
    assertThat(List.of(a.reads(), a.writes(), a.increments())).containsExactly(5L, 0L, 2L);
    assertThat(sketch.totalWeight()).isEqualTo(15);
    assertThat(sketch.unseenMax()).as("not full: an unseen key was never offered").isZero();
    sketch.checkInvariants();
  }

  @Test
  void aNewKeyReplacesTheSmallestCountAndInheritsItAsError() {
    SpaceSaving sketch = new SpaceSaving(2, 256);
    sketch.offer(key("a"), Access.READ, 10);
    sketch.offer(key("b"), Access.READ, 3);
    sketch.offer(key("c"), Access.WRITE, 1);

    assertThat(sketch.top(2))
        .extracting(e -> e.key().bytes().toStringUtf8(), Entry::count, Entry::error, Entry::writes)
        .containsExactly(
            tuple("a", 10L, 0L, 0L),
            tuple("c", 4L, 3L, 1L));
    assertThat(sketch.unseenMax()).isEqualTo(4);
    sketch.checkInvariants();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void onZipfStreamsEveryFrequentKeyIsMonitoredWithinItsBounds(long seed) {
    Random random = new Random(seed);
    int capacity = 8 + random.nextInt(64);
    SpaceSaving sketch = new SpaceSaving(capacity, 256);
    Map<ByteString, Long> truth = new HashMap<>();
    double[] cumulative = zipf(5_000, 0.8 + random.nextDouble());
    for (int i = 0; i < 50_000; i++) {
      ByteString key = key("k" + pick(cumulative, random));
      long weight = 1 + random.nextInt(3);
      sketch.offer(key, Access.values()[random.nextInt(3)], weight);
      truth.merge(key, weight, Long::sum);
    }
    checkGuarantees(sketch, truth, "seed " + seed);
  }

  /**
   * The classic worst case for counter-based sketches: a few heavy keys interleaved with a long
   * tail of keys each seen once, so the newcomers keep evicting one another.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void onAdversarialStreamsEveryFrequentKeyIsMonitoredWithinItsBounds(long seed) {
    Random random = new Random(seed);
    int capacity = 16;
    SpaceSaving sketch = new SpaceSaving(capacity, 256);
    Map<ByteString, Long> truth = new HashMap<>();
    int unique = 0;
    for (int round = 0; round < 3_000; round++) {
      // Heavy keys come in bursts at the start, then only the tail: they must survive it.
      if (round < 600) {
        for (int h = 0; h < 3; h++) {
          offer(sketch, truth, key("heavy" + h), 1 + random.nextInt(5));
        }
      }
      for (int t = 0; t < 10; t++) {
        offer(sketch, truth, key("tail" + unique++), 1);
      }
    }
    checkGuarantees(sketch, truth, "seed " + seed);
  }

  @Test
  void keysLongerThanTheCapAreTrackedByPrefixLengthAndHash() {
    SpaceSaving sketch = new SpaceSaving(8, 4);
    ByteString long1 = key("prefix-one");
    ByteString long2 = key("prefix-two");
    sketch.offer(long1, Access.READ, 2);
    sketch.offer(long2, Access.READ, 1);
    sketch.offer(long1, Access.READ, 2);
    sketch.offer(key("abc"), Access.READ, 1);

    List<Entry> top = sketch.top(8);
    assertThat(top).hasSize(3);
    Entry first = top.get(0);
    assertThat(first.key().bytes()).isEqualTo(key("pref"));
    assertThat(first.key().truncated()).isTrue();
    assertThat(first.key().lengthBytes()).isEqualTo(10);
    assertThat(first.key().keyHash()).isEqualTo(KeyHash.of(long1.toByteArray()));
    assertThat(first.count()).isEqualTo(4);
    Entry shortKey =
        top.stream().filter(e -> e.key().bytes().equals(key("abc"))).findFirst().orElseThrow();
    assertThat(shortKey.key().truncated()).isFalse();
    assertThat(shortKey.key().keyHash()).isEqualTo(KeyHash.of(key("abc").toByteArray()));
  }

  @Test
  void resetForgetsEverything() {
    SpaceSaving sketch = new SpaceSaving(2, 16);
    sketch.offer(key("a"), Access.READ, 3);
    sketch.offer(key("b"), Access.READ, 3);
    sketch.offer(key("c"), Access.READ, 3);

    sketch.reset();

    assertThat(sketch.top(5)).isEmpty();
    assertThat(sketch.totalWeight()).isZero();
    assertThat(sketch.unseenMax()).isZero();
    sketch.offer(key("d"), Access.READ, 1);
    assertThat(sketch.top(5)).extracting(Entry::error).containsExactly(0L);
    sketch.checkInvariants();
  }

  @Test
  void decayScalesWeightsDownKeepsTheOrderAndDropsWhatReachesZero() {
    SpaceSaving sketch = new SpaceSaving(4, 16);
    sketch.offer(key("a"), Access.READ, 9);
    sketch.offer(key("a"), Access.WRITE, 1);
    sketch.offer(key("b"), Access.INCREMENT, 4);
    sketch.offer(key("c"), Access.READ, 1);

    sketch.decay(0.5);

    assertThat(sketch.top(5))
        .extracting(e -> e.key().bytes().toStringUtf8(), Entry::count, Entry::guaranteed)
        .containsExactly(
            // a: 10 -> 5; reads 9 -> 4, writes 1 -> 0, so 1 of it is now error.
            tuple("a", 5L, 4L),
            tuple("b", 2L, 2L));
    assertThat(sketch.totalWeight()).isEqualTo(7);
    sketch.checkInvariants();
    sketch.offer(key("c"), Access.READ, 1);
    sketch.checkInvariants();
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomOffersAndDecaysKeepTheHeapAndTheSplitWeightsConsistent(long seed) {
    Random random = new Random(seed);
    SpaceSaving sketch = new SpaceSaving(1 + random.nextInt(20), 8);
    for (int i = 0; i < 20_000; i++) {
      if (random.nextInt(500) == 0) {
        sketch.decay(random.nextDouble());
      } else {
        sketch.offer(key("k" + random.nextInt(60)), Access.values()[random.nextInt(3)],
            1 + random.nextInt(100));
      }
      if (i % 97 == 0) {
        sketch.checkInvariants();
      }
    }
    sketch.checkInvariants();
    assertThat(sketch.size()).isLessThanOrEqualTo(sketch.capacity());
  }

  @Test
  void limitsAreChecked() {
    assertThatThrownBy(() -> new SpaceSaving(0, 16)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SpaceSaving(65_537, 16))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SpaceSaving(4, 0)).isInstanceOf(IllegalArgumentException.class);
    SpaceSaving sketch = SpaceSaving.withDefaults();
    assertThatThrownBy(() -> sketch.offer(key("a"), Access.READ, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sketch.offer(ByteString.EMPTY, Access.READ, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sketch.decay(1.5)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> sketch.top(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  private static void checkGuarantees(SpaceSaving sketch, Map<ByteString, Long> truth, String where) {
    sketch.checkInvariants();
    long total = truth.values().stream().mapToLong(Long::longValue).sum();
    assertThat(sketch.totalWeight()).isEqualTo(total);
    List<Entry> top = sketch.top(sketch.capacity());
    assertThat(top.stream().mapToLong(Entry::count).sum()).as(where).isEqualTo(total);
    Map<ByteString, Entry> monitored = new HashMap<>();
    for (Entry entry : top) {
      monitored.put(entry.key().bytes(), entry);
      long actual = truth.get(entry.key().bytes());
      assertThat(entry.guaranteed()).as("%s: %s lower bound", where, entry).isLessThanOrEqualTo(actual);
      assertThat(entry.count()).as("%s: %s upper bound", where, entry).isGreaterThanOrEqualTo(actual);
    }
    double threshold = (double) total / sketch.capacity();
    truth.forEach((key, actual) -> {
      if (actual > threshold) {
        assertThat(monitored).as("%s: key with weight %d > N/k = %.1f", where, actual, threshold)
            .containsKey(key);
      } else if (!monitored.containsKey(key)) {
        assertThat(actual).as("%s: unseen key", where).isLessThanOrEqualTo(sketch.unseenMax());
      }
    });
  }

  private static void offer(SpaceSaving sketch, Map<ByteString, Long> truth, ByteString key, long w) {
    sketch.offer(key, Access.READ, w);
    truth.merge(key, w, Long::sum);
  }

  private static double[] zipf(int n, double exponent) {
    double[] cumulative = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += 1 / Math.pow(i + 1, exponent);
      cumulative[i] = sum;
    }
    for (int i = 0; i < n; i++) {
      cumulative[i] /= sum;
    }
    return cumulative;
  }

  private static int pick(double[] cumulative, Random random) {
    int index = Arrays.binarySearch(cumulative, random.nextDouble());
    return Math.min(index < 0 ? -index - 1 : index, cumulative.length - 1);
  }

  private static ByteString key(String s) {
    return ByteString.copyFromUtf8(s);
  }
}
