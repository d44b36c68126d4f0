package pando.api.range;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.api.range.TestRanges.ABC;
import static pando.api.range.TestRanges.BCD;
import static pando.api.range.TestRanges.MID;
import static pando.api.range.TestRanges.epoch;
import static pando.api.range.TestRanges.evenTable;
import static pando.api.range.TestRanges.lastHash;
import static pando.api.range.TestRanges.range;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import pando.api.HashRange;
import pando.api.KeyHash;

class RangeTableTest {
  private static final long Q1 = 0x4000_0000_0000_0000L; // 2^62
  private static final long Q3 = 0xc000_0000_0000_0000L; // 3 * 2^62

  // ---- initial tables and lookup ----

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 8, 1000})
  void initialTableCutsTheSpaceEvenlyWithIdsFromOneAndEpochOneOne(int count) {
    List<List<String>> replicas = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      replicas.add(i % 2 == 0 ? ABC : BCD);
    }
    RangeTable table = RangeTable.initial(replicas);

    List<HashRange> expected = HashRange.evenSplit(count);
    assertThat(table.size()).isEqualTo(count);
    for (int i = 0; i < count; i++) {
      RangeDescriptor range = table.ranges().get(i);
      assertThat(range)
          .isEqualTo(
              new RangeDescriptor(
                  i + 1, expected.get(i), Epoch.initial(), replicas.get(i), Optional.empty()));
    }
  }

  @Test
  void initialTableNeedsAtLeastOneRange() {
    assertThatThrownBy(() -> RangeTable.initial(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 8, 1000})
  void locateAgreesWithContainsOnBoundaryAndRandomHashes(int count) {
    RangeTable table = evenTable(count);
    List<Long> probes = new ArrayList<>(List.of(0L, MID, -1L, Long.MAX_VALUE));
    for (RangeDescriptor range : table.ranges()) {
      probes.add(range.bounds().start());
      probes.add(range.bounds().start() - 1); // wraps to 2^64-1 for the first range
      probes.add(lastHash(range.bounds()));
    }
    Random random = new Random(count);
    for (int i = 0; i < 2_000; i++) {
      probes.add(random.nextLong());
    }
    for (long hash : probes) {
      List<RangeDescriptor> owners =
          table.ranges().stream().filter(r -> r.bounds().contains(hash)).toList();
      assertThat(owners).as("owners of %016x", hash).hasSize(1);
      assertThat(table.locate(hash)).as("locate %016x", hash).isEqualTo(owners.get(0));
    }
  }

  @Test
  void locateByKeyPlacesTheKeyByItsKeyHash() {
    // KeyHash("a") = 0x85555565f6597889 is pinned in HashRangeTest; of 8 ranges of 2^61 it falls
    // in the fifth.
    byte[] key = "a".getBytes(StandardCharsets.UTF_8);
    assertThat(KeyHash.of(key)).isEqualTo(0x85555565f6597889L);
    assertThat(evenTable(8).locate(key).rangeId()).isEqualTo(5);
  }

  @Test
  void byIdFindsEveryRangeAndNothingElse() {
    RangeTable table = evenTable(4);
    for (long id = 1; id <= 4; id++) {
      assertThat(table.byId(id)).get().extracting(RangeDescriptor::rangeId).isEqualTo(id);
    }
    assertThat(table.byId(5)).isEmpty();
    assertThat(table.byId(0)).isEmpty();
  }

  // ---- construction ----

  @Test
  void acceptsRangesInAnyOrderAndSortsThemByUnsignedStart() {
    RangeDescriptor low = range(1, 0, MID, Epoch.initial());
    RangeDescriptor high = range(2, MID, 0, Epoch.initial());
    // MID is negative as a signed long; a signed sort would put it first.
    assertThat(new RangeTable(List.of(high, low)).ranges()).containsExactly(low, high);
  }

  static Stream<Arguments> tablesThatDoNotTile() {
    Epoch e = Epoch.initial();
    return Stream.of(
        Arguments.of("empty", List.of(), "a range table needs at least one range"),
        Arguments.of(
            "gap",
            List.of(range(1, 0, 100, e), range(2, 200, 0, e)),
            "gap [0000000000000064, 00000000000000c8) between range 1 "
                + "[0000000000000000, 0000000000000064) and range 2 [00000000000000c8, end)"),
        Arguments.of(
            "overlap",
            List.of(range(1, 0, 200, e), range(2, 100, 0, e)),
            "range 1 [0000000000000000, 00000000000000c8) overlaps range 2 [0000000000000064, end)"),
        Arguments.of(
            "same start",
            List.of(range(1, 0, 0, e), range(2, 0, MID, e)),
            "overlaps"),
        Arguments.of(
            "does not start at 0",
            List.of(range(7, 100, 0, e)),
            "hashes below range 7 [0000000000000064, end) are not covered"),
        Arguments.of(
            "does not reach the end",
            List.of(range(1, 0, 100, e)),
            "hashes above range 1 [0000000000000000, 0000000000000064) are not covered"),
        Arguments.of(
            "duplicate id",
            List.of(range(1, 0, MID, e), range(1, MID, 0, e)),
            "range id 1 is used twice"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("tablesThatDoNotTile")
  void rejectsDescriptorsThatDoNotTileTheSpaceNamingTheOffendingRanges(
      String name, List<RangeDescriptor> ranges, String message) {
    assertThatThrownBy(() -> new RangeTable(ranges))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  // ---- split ----

  @Test
  void splitKeepsTilingRaisesVersionAndKeepsReplicasConfVersionAndLeader() {
    RangeTable table = RangeTable.initial(List.of(ABC, BCD)).withLeader(1, Optional.of("b"));
    List<RangeDescriptor> before = List.copyOf(table.ranges());

    RangeTable split = table.split(1, Q1, 3);

    assertThat(split.ranges())
        .containsExactly(
            new RangeDescriptor(1, new HashRange(0, Q1), epoch(2, 1), ABC, Optional.of("b")),
            new RangeDescriptor(3, new HashRange(Q1, MID), epoch(2, 1), ABC, Optional.of("b")),
            before.get(1));
    assertThat(table.ranges()).as("the original table").isEqualTo(before);
  }

  @Test
  void splittingTheLastRangeAtItsLastHashLeavesAOneHashRangeAtTheEnd() {
    RangeTable split = evenTable(1).split(1, -1L, 2);
    assertThat(split.ranges())
        .extracting(RangeDescriptor::bounds)
        .containsExactly(new HashRange(0, -1L), new HashRange(-1L, 0));
    assertThat(split.locate(-1L).rangeId()).isEqualTo(2);
    assertThat(split.locate(-2L).rangeId()).isEqualTo(1);
  }

  @Test
  void splitJustAboveTheStartLeavesAOneHashLeftRange() {
    RangeTable split = evenTable(2).split(2, MID + 1, 3);
    assertThat(split.byId(2)).get().extracting(RangeDescriptor::bounds)
        .isEqualTo(new HashRange(MID, MID + 1));
  }

  static Stream<Arguments> invalidSplits() {
    // Table of two ranges: 1 = [0, MID), 2 = [MID, end).
    return Stream.of(
        Arguments.of("at the range start", 2L, MID, 3L, "split point must lie inside the range"),
        Arguments.of("at the first range's start", 1L, 0L, 3L, "must lie inside the range"),
        Arguments.of("at the range end", 1L, MID, 3L, "must lie inside the range"),
        Arguments.of("outside the range", 1L, Q3, 3L, "cannot split range 1 [0000000000000000, "
            + "8000000000000000) at c000000000000000"),
        Arguments.of("with a used id", 1L, Q1, 2L, "new range id 2 is already range 2"),
        Arguments.of("with its own id", 1L, Q1, 1L, "new range id 1 is already range 1"),
        Arguments.of("with id 0", 1L, Q1, 0L, "new range id must be positive"),
        Arguments.of("of an unknown range", 9L, Q1, 3L, "no range 9 in the table"));
  }

  @ParameterizedTest(name = "split {0} is rejected")
  @MethodSource("invalidSplits")
  void rejectedSplitsSayWhyAndChangeNothing(
      String name, long rangeId, long splitHash, long newId, String message) {
    RangeTable table = evenTable(2);
    List<RangeDescriptor> before = List.copyOf(table.ranges());

    assertThatThrownBy(() -> table.split(rangeId, splitHash, newId))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
    assertThat(table.ranges()).isEqualTo(before);
  }

  // ---- merge ----

  @Test
  void mergeKeepsTheLeftIdAndLiftsTheEpochAboveBothParentsOnBothComponents() {
    RangeTable table =
        new RangeTable(
            List.of(
                new RangeDescriptor(1, new HashRange(0, Q1), epoch(3, 1), ABC, Optional.of("c")),
                new RangeDescriptor(
                    7, new HashRange(Q1, MID), epoch(5, 2), List.of("c", "b", "a"),
                    Optional.of("a")),
                range(2, MID, 0, epoch(9, 9))));
    List<RangeDescriptor> before = List.copyOf(table.ranges());

    RangeTable merged = table.merge(1, 7);

    assertThat(merged.ranges())
        .containsExactly(
            new RangeDescriptor(1, new HashRange(0, MID), epoch(6, 2), ABC, Optional.of("c")),
            before.get(2));
    assertThat(merged.byId(7)).isEmpty();
    assertThat(table.ranges()).as("the original table").isEqualTo(before);
  }

  @Test
  void mergeCanReachTheEndOfTheSpace() {
    RangeTable merged = evenTable(2).merge(1, 2);
    assertThat(merged.ranges()).containsExactly(range(1, 0, 0, epoch(2, 1)));
  }

  @Test
  void splitThenMergeRestoresTheBoundsUnderAHigherVersion() {
    RangeTable table = evenTable(2);
    RangeTable back = table.split(2, Q3, 3).merge(2, 3);
    assertThat(back.byId(2)).get().isEqualTo(range(2, MID, 0, epoch(3, 1)));
  }

  static Stream<Arguments> invalidMerges() {
    // Table: 1 = [0, Q1) ABC, 2 = [Q1, MID) ABC, 3 = [MID, Q3) ABC, 4 = [Q3, end) BCD.
    return Stream.of(
        Arguments.of("non-adjacent ranges", 1L, 3L, "the right range must start where the left"),
        Arguments.of("ranges in the wrong order", 2L, 1L, "must start where the left one ends"),
        Arguments.of("a range with itself", 1L, 1L, "must start where the left one ends"),
        Arguments.of("the last range with the first", 4L, 1L, "must start where the left"),
        Arguments.of("different replica sets", 3L, 4L, "replica sets differ, [a, b, c] vs [b, c, d]"),
        Arguments.of("an unknown range", 1L, 9L, "no range 9 in the table"));
  }

  @ParameterizedTest(name = "merge of {0} is rejected")
  @MethodSource("invalidMerges")
  void rejectedMergesSayWhyAndChangeNothing(String name, long left, long right, String message) {
    RangeTable table = RangeTable.initial(List.of(ABC, ABC, ABC, BCD));
    List<RangeDescriptor> before = List.copyOf(table.ranges());

    assertThatThrownBy(() -> table.merge(left, right))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
    assertThat(table.ranges()).isEqualTo(before);
  }

  // ---- replicas and leader ----

  @Test
  void withReplicasRaisesConfVersionOnlyAndKeepsALeaderThatStays() {
    RangeTable table = evenTable(2).withLeader(1, Optional.of("b"));

    RangeTable changed = table.withReplicas(1, BCD);

    assertThat(changed.byId(1))
        .get()
        .isEqualTo(new RangeDescriptor(1, new HashRange(0, MID), epoch(1, 2), BCD, Optional.of("b")));
    assertThat(changed.byId(2)).isEqualTo(table.byId(2));
  }

  @Test
  void withReplicasDropsALeaderThatIsNoLongerAReplica() {
    RangeTable changed = evenTable(1).withLeader(1, Optional.of("a")).withReplicas(1, BCD);
    assertThat(changed.byId(1)).get().extracting(RangeDescriptor::leader).isEqualTo(Optional.empty());
  }

  @Test
  void withReplicasNamingTheSameNodesAgainChangesNothing() {
    RangeTable table = evenTable(2);
    assertThat(table.withReplicas(1, List.of("c", "a", "b"))).isSameAs(table);
  }

  @Test
  void withReplicasRejectsAnInvalidReplicaList() {
    assertThatThrownBy(() -> evenTable(1).withReplicas(1, List.of()))
        .hasMessageContaining("needs at least one replica");
    assertThatThrownBy(() -> evenTable(1).withReplicas(1, List.of("a", "a", "d")))
        .hasMessageContaining("lists a replica twice");
  }

  @Test
  void withLeaderChangesNeitherEpochNorBoundsNorReplicas() {
    RangeTable table = evenTable(2).split(1, Q1, 3).withReplicas(3, BCD);
    RangeDescriptor before = table.byId(3).orElseThrow();

    RangeDescriptor after = table.withLeader(3, Optional.of("d")).byId(3).orElseThrow();

    assertThat(after).isEqualTo(before.withLeader(Optional.of("d")));
    assertThat(after.leader()).hasValue("d");
    assertThat(after.epoch()).isEqualTo(epoch(2, 2));
  }

  @Test
  void withLeaderRejectsANodeThatIsNotAReplica() {
    assertThatThrownBy(() -> evenTable(1).withLeader(1, Optional.of("z")))
        .hasMessageContaining("leader z is not one of its replicas");
  }

  @Test
  void operationsOnAnUnknownRangeAreRejected() {
    RangeTable table = evenTable(1);
    List<Function<RangeTable, RangeTable>> operations =
        List.of(t -> t.withReplicas(2, BCD), t -> t.withLeader(2, Optional.empty()));
    for (Function<RangeTable, RangeTable> operation : operations) {
      assertThatThrownBy(() -> operation.apply(table)).hasMessage("no range 2 in the table");
    }
  }

  @Test
  void tablesWithTheSameRangesAreEqual() {
    assertThat(evenTable(3)).isEqualTo(RangeTable.initial(Collections.nCopies(3, ABC)));
    assertThat(evenTable(3)).hasSameHashCodeAs(evenTable(3));
    assertThat(evenTable(3)).isNotEqualTo(evenTable(3).withLeader(1, Optional.of("a")));
  }
}
