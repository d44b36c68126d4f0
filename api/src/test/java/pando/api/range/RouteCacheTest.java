package pando.api.range;

import static org.assertj.core.api.Assertions.assertThat;
import static pando.api.range.TestRanges.ABC;
import static pando.api.range.TestRanges.BCD;
import static pando.api.range.TestRanges.MID;
import static pando.api.range.TestRanges.epoch;
import static pando.api.range.TestRanges.evenTable;
import static pando.api.range.TestRanges.range;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import pando.api.HashRange;
import pando.api.KeyHash;

class RouteCacheTest {
  private static final long Q1 = 0x4000_0000_0000_0000L;
  private static final long Q3 = 0xc000_0000_0000_0000L;

  /** 1 = [0, MID), 2 = [MID, end), all at epoch (1,1). */
  private final RangeTable before = evenTable(2);
  /** Range 2 split at Q3: 2 = [MID, Q3), 3 = [Q3, end), both at (2,1). */
  private final RangeTable afterSplit = before.split(2, Q3, 3);

  private RangeDescriptor rangeOf(RangeTable table, long id) {
    return table.byId(id).orElseThrow();
  }

  @Test
  void anEmptyCacheLocatesNothingAndIsOneGap() {
    RouteCache cache = RouteCache.empty();
    assertThat(cache.locate(0)).isEmpty();
    assertThat(cache.locate(-1L)).isEmpty();
    assertThat(cache.gaps()).containsExactly(HashRange.full());
  }

  @Test
  void aCacheOfATableLocatesLikeTheTableAndHasNoGaps() {
    RangeTable table = evenTable(5).split(3, 0x7000_0000_0000_0000L, 6);
    RouteCache cache = RouteCache.of(table);
    Random random = new Random(7);
    for (int i = 0; i < 1_000; i++) {
      long hash = random.nextLong();
      assertThat(cache.locate(hash)).hasValue(table.locate(hash));
    }
    assertThat(cache.gaps()).isEmpty();
    assertThat(cache.entries()).isEqualTo(table.ranges());
    byte[] key = "a".getBytes(StandardCharsets.UTF_8);
    assertThat(cache.locate(key)).hasValue(table.locate(KeyHash.of(key)));
  }

  @Test
  void installingTheLeftHalfOfASplitReplacesTheParentAndLeavesTheRightHalfAGap() {
    RouteCache cache = RouteCache.of(before).install(rangeOf(afterSplit, 2));

    assertThat(cache.locate(MID)).hasValue(rangeOf(afterSplit, 2));
    assertThat(cache.locate(Q3 - 1)).hasValue(rangeOf(afterSplit, 2));
    assertThat(cache.locate(Q3)).isEmpty();
    assertThat(cache.locate(-1L)).isEmpty();
    assertThat(cache.gaps()).containsExactly(new HashRange(Q3, 0));
    assertThat(cache.locate(0)).hasValue(rangeOf(before, 1)); // untouched neighbour
  }

  @Test
  void installingTheRightHalfOfASplitAlsoEvictsTheParentThenTheLeftHalfClosesTheGap() {
    RouteCache cache = RouteCache.of(before).install(rangeOf(afterSplit, 3));
    assertThat(cache.byId(2)).isEmpty();
    assertThat(cache.gaps()).containsExactly(new HashRange(MID, Q3));

    cache = cache.install(rangeOf(afterSplit, 2));
    assertThat(cache).isEqualTo(RouteCache.of(afterSplit));
  }

  @Test
  void installingAnOlderDescriptorIsIgnored() {
    RouteCache cache = RouteCache.of(afterSplit);
    assertThat(cache.install(rangeOf(before, 2))).isSameAs(cache);
  }

  @Test
  void anOldDescriptorCannotFillAGapItWouldOverlapANewerRangeIn() {
    // Knows only the new range 3; the old range 2 overlaps it, so it may not fill [MID, Q3).
    RouteCache cache = RouteCache.empty().install(rangeOf(afterSplit, 3));
    assertThat(cache.install(rangeOf(before, 2))).isSameAs(cache);
  }

  @Test
  void aMergedRangeReplacesBothParents() {
    RangeTable merged = afterSplit.merge(2, 3);
    RouteCache cache = RouteCache.of(afterSplit).install(rangeOf(merged, 2));
    assertThat(cache).isEqualTo(RouteCache.of(merged));
    // ... and a late answer about a parent cannot bring it back.
    assertThat(cache.install(rangeOf(afterSplit, 3))).isSameAs(cache);
  }

  @Test
  void aReplicaChangeReplacesTheRangeAndTheOlderMembershipIsIgnored() {
    RangeTable moved = before.withReplicas(1, BCD);
    RouteCache cache = RouteCache.of(before).install(rangeOf(moved, 1));
    assertThat(cache.byId(1)).hasValue(rangeOf(moved, 1));
    assertThat(cache.install(rangeOf(before, 1))).isSameAs(cache);
  }

  @Test
  void aDescriptorWithTheSameEpochRefreshesTheLeaderHint() {
    RangeDescriptor withLeader = rangeOf(before, 1).withLeader(Optional.of("b"));
    RouteCache cache = RouteCache.of(before).install(withLeader);
    assertThat(cache.byId(1)).hasValue(withLeader);
  }

  @Test
  void installIsAllOrNothingWhenOnlyPartOfTheSpanIsOlder() {
    // Range 9 claims the whole space at version 2: newer than range 2 (version 1) but older than
    // range 1 (version 3). It must not evict range 2 and leave range 1 standing.
    RouteCache cache =
        RouteCache.empty().install(range(1, 0, MID, epoch(3, 1))).install(range(2, MID, 0, epoch(1, 1)));
    assertThat(cache.install(range(9, 0, 0, epoch(2, 1)))).isSameAs(cache);
  }

  @Test
  void anotherRangeWithTheSameVersionCannotBeOrderedAndIsIgnored() {
    // Two different ranges owning the same hash at the same version cannot both be real.
    RouteCache cache = RouteCache.empty().install(range(1, 0, MID, epoch(2, 1)));
    assertThat(cache.install(range(5, 0, Q1, epoch(2, 9)))).isSameAs(cache);
  }

  @Test
  void aDescriptorReusingACachedIdElsewhereEvictsTheOldEntrySoIdsStayUnique() {
    RouteCache cache = RouteCache.empty().install(range(1, 0, Q1, epoch(1, 1)));
    RangeDescriptor moved = range(1, MID, 0, epoch(2, 1));
    cache = cache.install(moved);
    assertThat(cache.entries()).containsExactly(moved);
  }

  @Test
  void aLaggingPlacementDriverSnapshotDoesNotRollTheCacheBack() {
    // The cache learned of the split from a replica before the PD did.
    RouteCache cache = RouteCache.of(before).install(rangeOf(afterSplit, 2));
    RouteCache refreshed = cache.installAll(before.ranges());
    assertThat(refreshed.byId(2)).hasValue(rangeOf(afterSplit, 2));
    assertThat(refreshed.gaps()).containsExactly(new HashRange(Q3, 0));
    // Once the PD catches up, its snapshot fills the gap.
    assertThat(refreshed.installAll(afterSplit.ranges())).isEqualTo(RouteCache.of(afterSplit));
  }

  @Test
  void invalidateForgetsARangeAndIgnoresAnUnknownId() {
    RouteCache cache = RouteCache.of(before);
    RouteCache invalidated = cache.invalidate(1);
    assertThat(invalidated.locate(0)).isEmpty();
    assertThat(invalidated.locate(MID)).hasValue(rangeOf(before, 2));
    assertThat(invalidated.gaps()).containsExactly(new HashRange(0, MID));
    assertThat(cache.invalidate(42)).isSameAs(cache);
  }

  @Test
  void locateOnAGapBetweenTwoEntriesIsEmpty() {
    RouteCache cache =
        RouteCache.empty()
            .install(new RangeDescriptor(1, new HashRange(0, Q1), epoch(1, 1), ABC, Optional.empty()))
            .install(range(2, MID, Q3, epoch(1, 1)));
    assertThat(cache.locate(Q1 - 1)).isPresent();
    assertThat(cache.locate(Q1)).isEmpty();
    assertThat(cache.locate(MID - 1)).isEmpty();
    assertThat(cache.locate(MID)).isPresent();
    assertThat(cache.locate(Q3)).isEmpty();
    assertThat(cache.gaps()).containsExactly(new HashRange(Q1, MID), new HashRange(Q3, 0));
  }

  @Test
  void operationsLeaveTheOriginalCacheUnchanged() {
    RouteCache cache = RouteCache.of(before);
    List<RangeDescriptor> entries = List.copyOf(cache.entries());
    cache.install(rangeOf(afterSplit, 3));
    cache.invalidate(1);
    assertThat(cache.entries()).isEqualTo(entries);
  }
}
