package pando.api.range;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.api.range.TestRanges.lastHash;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.HashRange;

/**
 * Drives a table through 1,000 random splits, merges, replica and leader changes and checks after
 * every step that it still tiles the space and routes every probed hash to exactly one range.
 *
 * <p>Each run adds one fresh seed to the fixed ones; a failure names its seed and step, and the
 * seed can then be added to the fixed list to replay it.
 */
class RangeTableRandomWalkTest {
  private static final int STEPS = 1_000;
  /** The first two are the same set in another order, so most neighbours stay mergeable. */
  private static final List<List<String>> REPLICA_SETS =
      List.of(List.of("a", "b", "c"), List.of("c", "a", "b"), List.of("a", "b", "d"));

  static LongStream seeds() {
    return LongStream.of(1, 2, 42, 20_240_601, new Random().nextLong());
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void randomOperationsKeepTheTableTilingAndEveryHashOwnedOnce(long seed) {
    Walk walk = new Walk(seed);
    for (int step = 0; step < STEPS; step++) {
      String where = "seed " + seed + ", step " + step;
      try {
        walk.step(where);
        walk.check(where);
      } catch (RuntimeException | AssertionError e) {
        // Exceptions thrown by the code under test carry no seed; every failure must name one.
        if (String.valueOf(e.getMessage()).contains(where)) {
          throw e;
        }
        throw new AssertionError(where + ": " + e, e);
      }
    }

    assertThat(walk.splits).as("seed %d: splits happened", seed).isGreaterThan(100);
    assertThat(walk.merges).as("seed %d: merges happened", seed).isGreaterThan(100);
    assertThat(walk.rejected).as("seed %d: rejections happened", seed).isGreaterThan(0);

    // Every descriptor the table ever published, delivered to a cache in any order, leaves it
    // knowing exactly the final table: the newest always wins, the rest are evicted.
    List<RangeDescriptor> shuffled = new ArrayList<>(walk.published);
    Collections.shuffle(shuffled, walk.random);
    assertThat(RouteCache.empty().installAll(shuffled))
        .as("seed %d: cache fed %d descriptors in random order", seed, shuffled.size())
        .isEqualTo(RouteCache.of(new RangeTable(withoutLeaders(walk.table.ranges()))));
  }

  /** The table under test and what the checks remember between steps. */
  private static final class Walk {
    final Random random;
    RangeTable table = RangeTable.initial(Collections.nCopies(4, REPLICA_SETS.get(0)));
    long nextId = 5; // ids are never reused, as the placement driver must guarantee
    final long[] probes;
    final Epoch[] ownerEpochs;
    final HashRange[] ownerBounds;
    final Set<RangeDescriptor> published = new LinkedHashSet<>(withoutLeaders(table.ranges()));
    int splits;
    int merges;
    int rejected;

    Walk(long seed) {
      random = new Random(seed);
      probes = LongStream.concat(
          LongStream.of(0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -2, -1), random.longs(58)).toArray();
      ownerEpochs = new Epoch[probes.length];
      ownerBounds = new HashRange[probes.length];
    }

    void step(String where) {
      RangeDescriptor range = table.ranges().get(random.nextInt(table.size()));
      int op = random.nextInt(100);
      if (op < 45) {
        split(range, where);
      } else if (op < 90) {
        merge(range, where);
      } else if (op < 95) {
        table = table.withReplicas(
            range.rangeId(), REPLICA_SETS.get(random.nextInt(REPLICA_SETS.size())));
      } else {
        List<String> replicas = range.replicas();
        table = table.withLeader(
            range.rangeId(), Optional.of(replicas.get(random.nextInt(replicas.size()))));
      }
      published.addAll(withoutLeaders(table.ranges()));
    }

    /** Splits strictly inside the range, or now and then tries its start, which must fail. */
    private void split(RangeDescriptor range, String where) {
      RangeTable before = table;
      long width = range.bounds().end() - range.bounds().start(); // 0 means 2^64
      if (random.nextInt(20) == 0 || width == 1) {
        assertThatThrownBy(() -> before.split(range.rangeId(), range.bounds().start(), nextId))
            .as(where).isInstanceOf(IllegalArgumentException.class);
        rejected++;
        return;
      }
      // An offset in [1, width): width - 1 read as unsigned is right even for the full space.
      long splitAt =
          range.bounds().start() + 1 + Long.remainderUnsigned(random.nextLong(), width - 1);
      table = table.split(range.rangeId(), splitAt, nextId++);
      assertThat(table.size()).as(where).isEqualTo(before.size() + 1);
      splits++;
    }

    /** Merges with the right neighbour, which must fail for the last range or other replicas. */
    private void merge(RangeDescriptor range, String where) {
      RangeTable before = table;
      int i = table.ranges().indexOf(range);
      RangeDescriptor right = table.ranges().get((i + 1) % table.size());
      boolean adjacent = i < table.size() - 1;
      if (adjacent && Set.copyOf(range.replicas()).equals(Set.copyOf(right.replicas()))) {
        table = table.merge(range.rangeId(), right.rangeId());
        assertThat(table.size()).as(where).isEqualTo(before.size() - 1);
        merges++;
      } else {
        assertThatThrownBy(() -> before.merge(range.rangeId(), right.rangeId()))
            .as(where).isInstanceOf(IllegalArgumentException.class);
        rejected++;
      }
    }

    void check(String where) {
      assertTiles(where);
      assertEveryRangeLocatesItsOwnBoundaries(where);
      for (int p = 0; p < probes.length; p++) {
        long hash = probes[p];
        List<RangeDescriptor> owners =
            table.ranges().stream().filter(r -> r.contains(hash)).toList();
        assertThat(owners).as("%s: owners of %016x", where, hash).hasSize(1);
        RangeDescriptor owner = owners.get(0);
        assertThat(table.locate(hash)).as("%s: locate %016x", where, hash).isEqualTo(owner);
        // What RouteCache relies on: a hash's owner never goes back in epoch, and a change of
        // bounds always comes with a higher version.
        if (ownerEpochs[p] != null) {
          assertThat(owner.epoch().isOlderThan(ownerEpochs[p]))
              .as("%s: epoch of the owner of %016x went back", where, hash).isFalse();
          if (!owner.bounds().equals(ownerBounds[p])) {
            assertThat(owner.epoch().version()).as("%s: version of %016x", where, hash)
                .isGreaterThan(ownerEpochs[p].version());
          }
        }
        ownerEpochs[p] = owner.epoch();
        ownerBounds[p] = owner.bounds();
      }
    }

    private void assertTiles(String where) {
      List<RangeDescriptor> ranges = table.ranges();
      assertThat(ranges.get(0).bounds().start()).as(where).isZero();
      for (int i = 1; i < ranges.size(); i++) {
        assertThat(ranges.get(i).bounds().start()).as("%s: start of range #%d", where, i)
            .isEqualTo(ranges.get(i - 1).bounds().end());
      }
      assertThat(ranges.get(ranges.size() - 1).bounds().end()).as(where).isZero();
    }

    private void assertEveryRangeLocatesItsOwnBoundaries(String where) {
      RangeDescriptor previous = table.ranges().get(table.size() - 1); // owns 0 - 1 = 2^64-1
      for (RangeDescriptor range : table.ranges()) {
        HashRange b = range.bounds();
        long width = b.end() - b.start(); // 0 means 2^64: the range is the whole space
        long inside = width == 0
            ? random.nextLong()
            : b.start() + Long.remainderUnsigned(random.nextLong(), width);
        for (long hash : new long[] {b.start(), lastHash(b), inside}) {
          assertThat(table.locate(hash)).as("%s: locate %016x in %s", where, hash, b)
              .isEqualTo(range);
        }
        assertThat(table.locate(b.start() - 1)).as("%s: hash below %s", where, b)
            .isEqualTo(previous);
        previous = range;
      }
    }
  }

  private static List<RangeDescriptor> withoutLeaders(List<RangeDescriptor> ranges) {
    // Leader hints are unversioned (the last one installed wins), so the convergence check
    // compares everything else.
    return ranges.stream().map(r -> r.withLeader(Optional.empty())).toList();
  }
}
