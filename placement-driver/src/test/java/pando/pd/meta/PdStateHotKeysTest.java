package pando.pd.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.pd.hot.HotKeys.command;
import static pando.pd.hot.HotKeys.drop;
import static pando.pd.hot.HotKeys.insert;
import static pando.pd.hot.HotKeys.key;
import static pando.pd.hot.HotKeys.pinned;
import static pando.pd.hot.HotKeys.set;
import static pando.pd.meta.PdStateTest.bootstrap;
import static pando.pd.meta.PdStateTest.node;
import static pando.pd.meta.PdStateTest.stateOf;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.State;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdMetadata;
import pando.internal.v1.PdResult.Status;
import pando.pd.hot.HotKeyProtos;

/** The hot-key table as part of the PD's durable state: applied from the log, kept in snapshots. */
class PdStateHotKeysTest {
  private static final HotKey SALTING = pinned("k", 4);
  private static final HotKey ACTIVE = SALTING.withState(State.ACTIVE);

  private static PdState bootstrapped() {
    return stateOf(node("a", 1), node("b", 2), node("c", 3), bootstrap(4, 3));
  }

  @Test
  void aHotKeyChangeRaisesTheHotKeyVersionAndLeavesTheRangeTableAlone() {
    PdState before = bootstrapped();

    PdState.Applied applied = before.apply(command(insert(SALTING, 1_000)));

    assertThat(applied.result().getStatus()).isEqualTo(Status.OK);
    assertThat(applied.result().getHotKeyTableVersion()).isEqualTo(1);
    assertThat(applied.state().hotKeyTable().lookup(key("k"))).contains(SALTING);
    assertThat(applied.state().hotKeyTable().version()).isEqualTo(1);
    assertThat(applied.state().tableVersion()).isEqualTo(before.tableVersion());
    assertThat(applied.state().ranges()).isEqualTo(before.ranges());
    assertThat(applied.state().nodes()).isEqualTo(before.nodes());
  }

  @Test
  void theHotKeyVersionCountsEveryChangeAndNothingElse() {
    PdState state = stateOf(
        command(insert(SALTING, 1)),
        node("a", 1),
        command(insert(SALTING, 2)), // already there: no change
        command(set(ACTIVE, Optional.of(SALTING), 3)),
        command(drop(key("absent"), Optional.empty())), // nothing to drop: no change
        command(drop(key("k"), Optional.of(ACTIVE))));

    assertThat(state.hotKeyTable().version()).isEqualTo(3);
    assertThat(state.hotKeyTable().entries()).isEmpty();
  }

  @Test
  void aRefusedHotKeyChangeLeavesTheStateAsItWas() {
    PdState before = stateOf(command(insert(SALTING, 1)));
    PdCommand invalid = command(insert(SALTING, 2).toBuilder()
        .setEntry(HotKeyProtos.toEntry(SALTING, 2).toBuilder().setSalts(100)).build());
    PdCommand stale = command(set(ACTIVE, Optional.of(SALTING.withState(State.UNSALTING)), 2));

    PdState.Applied refusedInvalid = before.apply(invalid);
    PdState.Applied refusedStale = before.apply(stale);

    assertThat(refusedInvalid.result().getStatus()).isEqualTo(Status.INVALID);
    assertThat(refusedInvalid.result().getMessage()).contains("salt count must be in 2..64, got 100");
    assertThat(refusedInvalid.state()).isSameAs(before);
    assertThat(refusedStale.result().getStatus()).isEqualTo(Status.CONFLICT);
    assertThat(refusedStale.state()).isSameAs(before);
  }

  @Test
  void keysPinnedBeforeTheBootstrapStayInTheTable() {
    PdState state = stateOf(command(insert(SALTING, 1)), node("a", 1), node("b", 2), node("c", 3), bootstrap(4, 3));

    assertThat(state.bootstrapped()).isTrue();
    assertThat(state.hotKeyTable().lookup(key("k"))).contains(SALTING);
    assertThat(state.hotKeyTable().version()).isEqualTo(1);
  }

  @Test
  void theSnapshotKeepsTheHotKeysWithOrWithoutRanges() {
    PdState withoutRanges = stateOf(command(insert(SALTING, 1)), command(insert(pinned("j", 2), 2)));
    PdState withRanges = bootstrapped().apply(command(insert(SALTING, 1))).state()
        .apply(command(set(ACTIVE, Optional.of(SALTING), 2))).state();

    for (PdState state : new PdState[] {withoutRanges, withRanges}) {
      PdMetadata snapshot = state.toProto();
      PdState restored = PdState.fromProto(snapshot);

      assertThat(snapshot.getHotKeysCount()).isEqualTo(state.hotKeyTable().size());
      assertThat(restored).isEqualTo(state);
      assertThat(restored.hotKeyTable()).isEqualTo(state.hotKeyTable());
      assertThat(restored.hotKeys().changedAtMs(key("k"))).isEqualTo(state.hotKeys().changedAtMs(key("k")));
    }
  }

  @Test
  void aSnapshotFromBeforeHotKeysHasAnEmptyTableAtVersionZero() {
    PdMetadata old = bootstrapped().toProto().toBuilder().clearHotKeys().clearHotKeyTableVersion().build();

    PdState restored = PdState.fromProto(old);

    assertThat(restored.hotKeyTable().entries()).isEmpty();
    assertThat(restored.hotKeyTable().version()).isZero();
    assertThat(restored.bootstrapped()).isTrue();
  }

  @Test
  void aSnapshotWithACorruptHotKeyIsRefused() {
    PdMetadata corrupt = PdMetadata.newBuilder()
        .addHotKeys(HotKeyProtos.toEntry(SALTING, 1).toBuilder().setStateValue(0))
        .setHotKeyTableVersion(1)
        .build();

    assertThatThrownBy(() -> PdState.fromProto(corrupt))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("corrupt PD snapshot: hot key 'k': hot-key state must be SALTING, ACTIVE or UNSALTING, got 0");
  }
}
