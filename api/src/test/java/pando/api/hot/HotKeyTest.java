package pando.api.hot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pando.api.hot.HotKey.CounterSum;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Operation;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.Plan;
import pando.api.hot.HotKey.State;

class HotKeyTest {
  private static final ByteString KEY = ByteString.copyFromUtf8("likes:home");

  /** The table in HotKey's class comment, row by row. */
  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @CsvSource({
    "READ_HOT, SALTING, READ, Plain",
    "READ_HOT, ACTIVE, READ, OneCopy",
    "READ_HOT, UNSALTING, READ, Plain",
    "READ_HOT, SALTING, WRITE, PrimaryThenCopies",
    "READ_HOT, ACTIVE, WRITE, PrimaryThenCopies",
    "READ_HOT, UNSALTING, WRITE, PrimaryThenCopies",
    "READ_HOT, SALTING, INCREMENT, PrimaryThenCopies",
    "READ_HOT, ACTIVE, INCREMENT, PrimaryThenCopies",
    "READ_HOT, UNSALTING, INCREMENT, PrimaryThenCopies",
    "WRITE_HOT_COUNTER, SALTING, READ, SumAll",
    "WRITE_HOT_COUNTER, ACTIVE, READ, SumAll",
    "WRITE_HOT_COUNTER, UNSALTING, READ, SumAll",
    "WRITE_HOT_COUNTER, SALTING, INCREMENT, Plain",
    "WRITE_HOT_COUNTER, ACTIVE, INCREMENT, OneCopy",
    "WRITE_HOT_COUNTER, UNSALTING, INCREMENT, Plain",
    "WRITE_HOT_COUNTER, SALTING, WRITE, Refused",
    "WRITE_HOT_COUNTER, ACTIVE, WRITE, Refused",
    "WRITE_HOT_COUNTER, UNSALTING, WRITE, Refused",
  })
  void eachModeStateAndOperationHasItsPlan(
      Mode mode, State state, Operation operation, String planKind) {
    HotKey hot = new HotKey(KEY, mode, 4, state, Origin.DETECTED);

    Plan plan = hot.plan(operation, new Random(1));

    assertThat(plan.getClass().getSimpleName()).isEqualTo(planKind);
    if (plan instanceof Plan.Plain plain) {
      assertThat(plain.key()).isEqualTo(KEY);
    } else if (plan instanceof Plan.OneCopy one) {
      assertThat(hot.copies()).contains(one.key());
    } else if (plan instanceof Plan.PrimaryThenCopies write) {
      assertThat(write.primary()).isEqualTo(KEY);
      assertThat(write.copies()).isEqualTo(hot.copies());
    } else if (plan instanceof Plan.SumAll sum) {
      assertThat(sum.plainReadLast()).isEqualTo(KEY);
      assertThat(sum.copies()).isEqualTo(hot.copies());
    } else if (plan instanceof Plan.Refused refused) {
      assertThat(refused.reason()).contains("counter");
    }
  }

  @Test
  void copiesAreListedInSaltOrder() {
    HotKey hot = new HotKey(KEY, Mode.READ_HOT, 3, State.ACTIVE, Origin.PINNED);
    assertThat(hot.copies())
        .containsExactly(
            SaltedKeys.salted(KEY, 0, 3), SaltedKeys.salted(KEY, 1, 3), SaltedKeys.salted(KEY, 2, 3));
  }

  @Test
  void oneCopyPlansSpreadOverEverySaltEvenly() {
    HotKey hot = new HotKey(KEY, Mode.READ_HOT, 8, State.ACTIVE, Origin.DETECTED);
    Random random = new Random(3);
    int[] hits = new int[8];
    for (int i = 0; i < 80_000; i++) {
      Plan.OneCopy one = (Plan.OneCopy) hot.plan(Operation.READ, random);
      hits[SaltedKeys.parse(one.key()).orElseThrow().salt()]++;
    }
    for (int count : hits) {
      assertThat(count).isBetween(9_000, 11_000);
    }
  }

  @Test
  void entriesRefuseKeysThatCannotBeSaltedAndSaltCountsOutOfRange() {
    ByteString reserved = SaltedKeys.salted(KEY, 0, 2);
    assertThatThrownBy(() -> new HotKey(reserved, Mode.READ_HOT, 2, State.ACTIVE, Origin.PINNED))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HotKey(KEY, Mode.READ_HOT, 1, State.ACTIVE, Origin.PINNED))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HotKey(KEY, Mode.READ_HOT, 65, State.ACTIVE, Origin.PINNED))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void counterSumAddsThePlainKeyAndEveryUnfoldedCopyCountingAbsentAsZero() {
    HotKey hot = counter(3);

    assertThat(hot.sumCounter(Optional.of(counterValue(10)), Set.of(),
            List.of(Optional.of(counterValue(1)), Optional.empty(), Optional.of(counterValue(-4)))))
        .isEqualTo(new CounterSum.Value(7));
    // Copy 0 was folded into the plain key: its stale value is ignored.
    assertThat(hot.sumCounter(Optional.of(counterValue(11)), Set.of(0),
            List.of(Optional.of(counterValue(1)), Optional.empty(), Optional.of(counterValue(-4)))))
        .isEqualTo(new CounterSum.Value(7));
    assertThat(hot.sumCounter(Optional.empty(), Set.of(), List.of(
            Optional.empty(), Optional.empty(), Optional.empty())))
        .isEqualTo(new CounterSum.Value(0));
  }

  @Test
  void counterSumIsExactWhateverTheOrderAndFailsOnlyWhenTheTotalOverflows() {
    HotKey hot = counter(3);
    // The partial sum MAX + 1 would overflow, but the total fits.
    assertThat(hot.sumCounter(Optional.of(counterValue(-5)), Set.of(), List.of(
            Optional.of(counterValue(Long.MAX_VALUE)), Optional.of(counterValue(1)),
            Optional.empty())))
        .isEqualTo(new CounterSum.Value(Long.MAX_VALUE - 4));
    assertThat(hot.sumCounter(Optional.empty(), Set.of(), List.of(
            Optional.of(counterValue(Long.MAX_VALUE)), Optional.of(counterValue(1)),
            Optional.empty())))
        .isInstanceOf(CounterSum.Overflow.class);
    assertThat(hot.sumCounter(Optional.empty(), Set.of(), List.of(
            Optional.of(counterValue(Long.MIN_VALUE)), Optional.of(counterValue(-1)),
            Optional.empty())))
        .isInstanceOf(CounterSum.Overflow.class);
  }

  @Test
  void counterSumRefusesValuesThatAreNotCounters() {
    HotKey hot = counter(2);
    CounterSum sum = hot.sumCounter(Optional.of(ByteString.copyFromUtf8("abc")), Set.of(),
        List.of(Optional.empty(), Optional.empty()));
    assertThat(sum).isInstanceOfSatisfying(CounterSum.NotACounter.class,
        notCounter -> assertThat(notCounter.message()).contains("plain key").contains("3 bytes"));
    assertThatThrownBy(() -> hot.sumCounter(Optional.empty(), Set.of(), List.of(Optional.empty())))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Why the plain key is read last: reading it first can miss a copy folded in between, a value
   * acknowledged long before the read.
   */
  @Test
  void readingThePlainKeyLastNeverMissesACopyFoldedDuringTheRead() {
    HotKey hot = counter(2).withState(State.UNSALTING);
    // Before the read: copy 0 holds 5, the plain key 0.
    Optional<ByteString> copy0Before = Optional.of(counterValue(5));
    Optional<ByteString> plainBefore = Optional.of(counterValue(0));
    // The fold: plain += 5 and copy 0 marked folded, in one command; then copy 0 is deleted.
    Optional<ByteString> plainAfter = Optional.of(counterValue(5));
    Optional<ByteString> copy0After = Optional.empty();

    CounterSum copiesFirst =
        hot.sumCounter(plainAfter, Set.of(0), List.of(copy0Before, Optional.empty()));
    CounterSum plainFirst =
        hot.sumCounter(plainBefore, Set.of(), List.of(copy0After, Optional.empty()));

    assertThat(copiesFirst).isEqualTo(new CounterSum.Value(5));
    assertThat(plainFirst).as("the order the plan forbids").isEqualTo(new CounterSum.Value(0));
  }

  /**
   * Checks the counter statement of HotKey's class comment on random interleavings of increments
   * (deltas are distinct powers of two, so a sum names exactly the increments it counted), reads
   * that take one step per key, and the folds of UNSALTING, across SALTING, ACTIVE and UNSALTING.
   */
  @Test
  void aCounterReadCountsEveryIncrementAcknowledgedBeforeItAndNoneStartedAfter() {
    for (long seed = 0; seed < 500; seed++) {
      new CounterRun(seed).run();
    }
  }

  private static final class CounterRun {
    private final long seed;
    private final Random random;
    private final int salts;
    private HotKey hot;
    private long plain;
    private final Set<Integer> folded = new HashSet<>();
    private final long[] copies;
    private final boolean[] present;
    private long appliedMask;
    private int increments;

    CounterRun(long seed) {
      this.seed = seed;
      this.random = new Random(seed);
      this.salts = 2 + random.nextInt(4);
      this.hot = counter(salts);
      this.copies = new long[salts];
      this.present = new boolean[salts];
    }

    void run() {
      List<Read> reads = new ArrayList<>();
      for (State state : State.values()) {
        hot = hot.withState(state);
        List<Integer> toFold = new ArrayList<>();
        for (int salt = 0; salt < salts; salt++) {
          toFold.add(salt);
        }
        Collections.shuffle(toFold, random);
        for (int step = 0; step < 40; step++) {
          int roll = random.nextInt(10);
          if (roll < 4 && increments < 60) {
            increment();
          } else if (roll < 6 || reads.isEmpty()) {
            reads.add(new Read(appliedMask));
          } else if (roll < 8 && state == State.UNSALTING && !toFold.isEmpty()) {
            fold(toFold.remove(0));
          } else {
            Read read = reads.get(random.nextInt(reads.size()));
            if (read.step()) {
              reads.remove(read);
            }
          }
        }
      }
      for (Read read : reads) {
        while (!read.step()) {
          // run to the end
        }
      }
    }

    void increment() {
      long delta = 1L << increments++;
      Plan plan = hot.plan(Operation.INCREMENT, random);
      if (plan instanceof Plan.Plain) {
        plain += delta;
      } else if (plan instanceof Plan.OneCopy one) {
        int salt = SaltedKeys.parse(one.key()).orElseThrow().salt();
        copies[salt] += delta;
        present[salt] = true;
      } else {
        throw new AssertionError("seed " + seed + ": unexpected increment plan " + plan);
      }
      appliedMask |= delta;
    }

    /** The operator's fold of one copy: add it to the plain key and mark it, then delete it. */
    void fold(int salt) {
      plain += copies[salt];
      folded.add(salt);
      copies[salt] = 0;
      present[salt] = false;
    }

    /** A fan-out read: one step per copy, in salt order, then the plain key. */
    final class Read {
      final long acknowledgedBeforeStart;
      final List<Optional<ByteString>> seen = new ArrayList<>();

      Read(long acknowledgedBeforeStart) {
        this.acknowledgedBeforeStart = acknowledgedBeforeStart;
      }

      boolean step() {
        if (seen.size() < salts) {
          int salt = seen.size();
          seen.add(present[salt] ? Optional.of(counterValue(copies[salt])) : Optional.empty());
          return false;
        }
        CounterSum sum = hot.sumCounter(Optional.of(counterValue(plain)), Set.copyOf(folded), seen);
        long counted = ((CounterSum.Value) sum).value();
        long startedBeforeEnd = appliedMask;
        assertThat(counted & acknowledgedBeforeStart)
            .as("seed %d: every increment acknowledged before the read is counted", seed)
            .isEqualTo(acknowledgedBeforeStart);
        assertThat(counted & ~startedBeforeEnd)
            .as("seed %d: no increment started after the read is counted", seed)
            .isZero();
        return true;
      }
    }
  }

  static HotKey counter(int salts) {
    return new HotKey(KEY, Mode.WRITE_HOT_COUNTER, salts, State.ACTIVE, Origin.DETECTED);
  }

  static ByteString counterValue(long value) {
    return ByteString.copyFrom(ByteBuffer.allocate(8).putLong(value).array());
  }
}
