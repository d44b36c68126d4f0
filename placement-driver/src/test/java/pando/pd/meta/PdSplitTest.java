package pando.pd.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static pando.pd.meta.PdStateTest.bootstrap;
import static pando.pd.meta.PdStateTest.node;
import static pando.pd.meta.PdStateTest.stateOf;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.HashRange;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeProtos;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdMetadata;
import pando.internal.v1.PdResult.Status;
import pando.internal.v1.ReserveRangeIdCommand;
import pando.internal.v1.SplitRangeCommand;

/** Range ids handed out for splits, and splits recorded in the range table. */
class PdSplitTest {
  /** Nodes a, b, c; three ranges (ids 1..3) of three replicas each, evenly cutting the space. */
  private static PdState cluster() {
    return stateOf(node("a", 1), node("b", 2), node("c", 3), bootstrap(3, 3));
  }

  private static RangeDescriptor range(PdState state, long id) {
    return state.ranges().orElseThrow().byId(id).orElseThrow();
  }

  private static final PdCommand RESERVE =
      PdCommand.newBuilder().setReserveRangeId(ReserveRangeIdCommand.getDefaultInstance()).build();

  private static PdCommand split(long rangeId, Epoch expected, long splitHash, long newRangeId) {
    return PdCommand.newBuilder().setSplitRange(SplitRangeCommand.newBuilder()
        .setRangeId(rangeId).setExpectedEpoch(RangeProtos.toProto(expected))
        .setSplitHash(splitHash).setNewRangeId(newRangeId)).build();
  }

  /** The middle of a range's bounds. */
  private static long middle(RangeDescriptor r) {
    long width = r.bounds().end() - r.bounds().start(); // unsigned, also when end is 0 (2^64)
    return r.bounds().start() + Long.divideUnsigned(width, 2);
  }

  private static long reserved(PdState.Applied applied) {
    assertThat(applied.result().getStatus()).as(applied.result().getMessage()).isEqualTo(Status.OK);
    return applied.result().getRangeId();
  }

  // ---- reserving ids ----

  @Test
  void reservedIdsStartAboveTheTableAndStrictlyIncrease() {
    PdState state = cluster();
    long previous = 3; // the table's highest id
    for (int i = 0; i < 5; i++) {
      PdState.Applied applied = state.apply(RESERVE);
      long id = reserved(applied);
      assertThat(id).isEqualTo(previous + 1);
      assertThat(applied.result().getMessage()).contains("reserved range id " + id);
      previous = id;
      state = applied.state();
    }
  }

  @Test
  void reservingChangesNeitherTheTableNorItsVersion() {
    PdState state = cluster();
    PdState after = state.apply(RESERVE).state();
    assertThat(after.ranges()).isEqualTo(state.ranges());
    assertThat(after.tableVersion()).isEqualTo(1);
    assertThat(after.operators()).isEqualTo(state.operators());
  }

  @Test
  void noIdIsReservedBeforeTheBootstrap() {
    PdState state = stateOf(node("a", 1));
    PdState.Applied applied = state.apply(RESERVE);
    assertThat(applied.result().getStatus()).isEqualTo(Status.INVALID);
    assertThat(applied.result().getMessage()).contains("not bootstrapped");
    assertThat(applied.state()).isSameAs(state);
  }

  // ---- recording a split ----

  @Test
  void aSplitRecordsBothHalvesAtTheNextVersionAndRaisesTheTableVersion() {
    PdState state = cluster();
    RangeDescriptor parent = range(state, 2);
    long at = middle(parent);
    PdState.Applied reserve = state.apply(RESERVE);
    long newId = reserved(reserve);

    PdState.Applied applied = reserve.state().apply(split(2, parent.epoch(), at, newId));

    assertThat(applied.result().getStatus()).as(applied.result().getMessage()).isEqualTo(Status.OK);
    assertThat(applied.result().getMessage()).contains("range 2 split").contains("range " + newId + " created");
    PdState after = applied.state();
    assertThat(after.tableVersion()).isEqualTo(2);
    assertThat(after.ranges().orElseThrow().size()).isEqualTo(4);
    Epoch next = new Epoch(2, 1);
    assertThat(range(after, 2)).isEqualTo(new RangeDescriptor(
        2, new HashRange(parent.bounds().start(), at), next, parent.replicas(), parent.leader()));
    assertThat(range(after, newId)).isEqualTo(new RangeDescriptor(
        newId, new HashRange(at, parent.bounds().end()), next, parent.replicas(), parent.leader()));
    // The other ranges are untouched.
    assertThat(range(after, 1)).isEqualTo(range(state, 1));
    assertThat(range(after, 3)).isEqualTo(range(state, 3));
    // Keys route to the half their hash is in.
    assertThat(after.ranges().orElseThrow().locate(at).rangeId()).isEqualTo(newId);
    assertThat(after.ranges().orElseThrow().locate(at - 1).rangeId()).isEqualTo(2);
  }

  @Test
  void theLastRangeSplitsUpToTheEndOfTheSpace() {
    PdState state = cluster();
    RangeDescriptor last = range(state, 3);
    assertThat(last.bounds().end()).isZero();
    long at = middle(last);
    assertThat(Long.compareUnsigned(at, last.bounds().start())).isPositive();

    PdState after = state.apply(split(3, last.epoch(), at, 4)).state();

    assertThat(range(after, 3).bounds()).isEqualTo(new HashRange(last.bounds().start(), at));
    assertThat(range(after, 4).bounds()).isEqualTo(new HashRange(at, 0));
  }

  @Test
  void aSplitComputedFromAnOlderEpochIsRefusedAndChangesNothing() {
    PdState state = cluster();
    RangeDescriptor parent = range(state, 1);
    PdState split = state.apply(split(1, parent.epoch(), middle(parent), 4)).state();
    RangeDescriptor left = range(split, 1);

    // Split the left half again, computed from the table before the first split.
    PdState.Applied stale = split.apply(split(1, parent.epoch(), middle(left), 5));

    assertThat(stale.result().getStatus()).isEqualTo(Status.INVALID);
    assertThat(stale.result().getMessage()).contains("is at epoch").contains("not the expected");
    assertThat(stale.state()).isSameAs(split);
    // And an epoch from the future is no better.
    assertThat(state.apply(split(1, new Epoch(2, 1), middle(parent), 4)).state()).isSameAs(state);
    assertThat(state.apply(split(1, new Epoch(1, 2), middle(parent), 4)).result().getStatus())
        .isEqualTo(Status.INVALID);
  }

  static Stream<Arguments> refusedSplits() {
    PdState state = cluster();
    RangeDescriptor r1 = range(state, 1);
    RangeDescriptor r2 = range(state, 2);
    return Stream.of(
        Arguments.of("split point at the range's start", split(2, r2.epoch(), r2.bounds().start(), 4),
            "must lie inside the range"),
        Arguments.of("split point at the range's end", split(1, r1.epoch(), r1.bounds().end(), 4),
            "must lie inside the range"),
        Arguments.of("split point below the range", split(2, r2.epoch(), 5, 4), "must lie inside the range"),
        Arguments.of("split point above the range", split(1, r1.epoch(), -1L, 4), "must lie inside the range"),
        Arguments.of("split point 0 of the first range", split(1, r1.epoch(), 0, 4), "must lie inside the range"),
        Arguments.of("new range id 0", split(1, r1.epoch(), middle(r1), 0), "must be positive"),
        Arguments.of("new range id negative", split(1, r1.epoch(), middle(r1), -4), "must be positive"),
        Arguments.of("unknown range", split(99, Epoch.initial(), 5, 4), "no range 99"),
        Arguments.of("missing epoch", PdCommand.newBuilder().setSplitRange(SplitRangeCommand.newBuilder()
            .setRangeId(1).setSplitHash(middle(r1)).setNewRangeId(4)).build(), "invalid expected epoch"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedSplits")
  void badSplitsAreRefusedWithAReasonAndChangeNothing(String name, PdCommand command, String reason) {
    PdState state = cluster();
    PdState.Applied applied = state.apply(command);
    assertThat(applied.result().getStatus()).isEqualTo(Status.INVALID);
    assertThat(applied.result().getMessage()).contains(reason);
    assertThat(applied.state()).isSameAs(state);
  }

  @Test
  void noSplitIsRecordedBeforeTheBootstrap() {
    PdState state = stateOf(node("a", 1));
    PdState.Applied applied = state.apply(split(1, Epoch.initial(), 5, 4));
    assertThat(applied.result().getMessage()).contains("not bootstrapped");
    assertThat(applied.state()).isSameAs(state);
  }

  @Test
  void aSplitWhoseNewIdIsAlreadyInTheTableIsAnsweredOkAndChangesNothing() {
    PdState state = cluster();
    RangeDescriptor parent = range(state, 1);
    PdCommand command = split(1, parent.epoch(), middle(parent), 4);
    PdState once = state.apply(command).state();

    // The same split proposed again (say, by a PD leader after a failover): recorded already.
    PdState.Applied again = once.apply(command);

    assertThat(again.result().getStatus()).isEqualTo(Status.OK);
    assertThat(again.result().getMessage()).contains("range 4 is already in the table");
    assertThat(again.state()).isSameAs(once);
    assertThat(again.state().tableVersion()).isEqualTo(2);
    // A new id that names another existing range changes nothing either.
    assertThat(state.apply(split(1, parent.epoch(), middle(parent), 3)).state()).isSameAs(state);
  }

  @Test
  void afterASplitReservedIdsAreAboveTheNewRange() {
    PdState state = cluster();
    RangeDescriptor parent = range(state, 1);

    // A split whose id was not reserved here (e.g. reserved before a snapshot of an older PD).
    PdState after = state.apply(split(1, parent.epoch(), middle(parent), 10)).state();

    assertThat(reserved(after.apply(RESERVE))).isEqualTo(11);
  }

  @Test
  void anIdReservedButNeverUsedIsNotHandedOutAgain() {
    PdState state = cluster();
    PdState.Applied first = state.apply(RESERVE);
    PdState.Applied second = first.state().apply(RESERVE);
    assertThat(reserved(first)).isEqualTo(4);
    assertThat(reserved(second)).isEqualTo(5);
    RangeDescriptor parent = range(state, 1);

    // Only the first id gets used by a split; the second is abandoned.
    PdState after = second.state().apply(split(1, parent.epoch(), middle(parent), 4)).state();

    assertThat(after.ranges().orElseThrow().byId(5)).isEmpty();
    assertThat(reserved(after.apply(RESERVE))).isEqualTo(6);
  }

  @Test
  void theNextRangeIdSurvivesASnapshot() throws Exception {
    PdState state = cluster();
    state = state.apply(RESERVE).state(); // 4
    state = state.apply(RESERVE).state(); // 5, never used
    RangeDescriptor parent = range(state, 2);
    state = state.apply(split(2, parent.epoch(), middle(parent), 4)).state();

    PdMetadata snapshot = state.toProto();
    PdState restored = PdState.fromProto(PdMetadata.parseFrom(snapshot.toByteArray()));

    assertThat(snapshot.getNextRangeId()).isEqualTo(6);
    assertThat(restored).isEqualTo(state);
    assertThat(restored.tableVersion()).isEqualTo(2);
    assertThat(range(restored, 4)).isEqualTo(range(state, 4));
    assertThat(reserved(restored.apply(RESERVE))).isEqualTo(6);
  }

  @Test
  void aSnapshotWithoutANextRangeIdReservesAboveTheTable() throws Exception {
    PdState state = cluster();
    RangeDescriptor parent = range(state, 3);
    state = state.apply(split(3, parent.epoch(), middle(parent), 8)).state();
    // A snapshot written before ids were reserved: the field reads 0.
    PdMetadata old = state.toProto().toBuilder().clearNextRangeId().build();

    PdState restored = PdState.fromProto(old);

    assertThat(reserved(restored.apply(RESERVE))).isEqualTo(9);
  }

  @Test
  void eachIdIsReservedOnceAcrossSplitsAndReservations() {
    PdState state = cluster();
    java.util.Set<Long> seen = new java.util.HashSet<>(java.util.List.of(1L, 2L, 3L));
    long rangeToSplit = 1;
    for (int i = 0; i < 6; i++) {
      PdState.Applied r = state.apply(RESERVE);
      long id = reserved(r);
      assertThat(seen.add(id)).as("id %d handed out twice", id).isTrue();
      state = r.state();
      RangeDescriptor parent = range(state, rangeToSplit);
      PdState.Applied s = state.apply(split(rangeToSplit, parent.epoch(), middle(parent), id));
      assertThat(s.result().getStatus()).as(s.result().getMessage()).isEqualTo(Status.OK);
      state = s.state();
      rangeToSplit = id;
    }
    assertThat(state.tableVersion()).isEqualTo(7);
    assertThat(state.ranges().orElseThrow().size()).isEqualTo(9);
  }
}
