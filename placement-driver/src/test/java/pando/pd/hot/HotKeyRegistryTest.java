package pando.pd.hot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static pando.pd.hot.HotKeys.drop;
import static pando.pd.hot.HotKeys.insert;
import static pando.pd.hot.HotKeys.key;
import static pando.pd.hot.HotKeys.pinned;
import static pando.pd.hot.HotKeys.readHot;
import static pando.pd.hot.HotKeys.set;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.RequestLimits;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;
import pando.api.hot.HotKeyTable;
import pando.internal.v1.HotKeyEntry;
import pando.internal.v1.PdResult.Status;
import pando.internal.v1.SetHotKeyCommand;

class HotKeyRegistryTest {
  private static final HotKey SALTING = pinned("k", 4);
  private static final HotKey ACTIVE = SALTING.withState(State.ACTIVE);

  /** Applies a command that must succeed. */
  private static HotKeyRegistry ok(HotKeyRegistry registry, SetHotKeyCommand command) {
    HotKeyRegistry.Applied applied = registry.apply(command);
    assertThat(applied.result().getStatus()).as(applied.result().getMessage()).isEqualTo(Status.OK);
    return applied.registry();
  }

  @Test
  void insertingAKeyRaisesTheVersionByOneAndRecordsWhenItChanged() {
    HotKeyRegistry.Applied applied = HotKeyRegistry.empty().apply(insert(SALTING, 1_000));

    assertThat(applied.result().getStatus()).isEqualTo(Status.OK);
    assertThat(applied.result().getMessage()).isEqualTo("hot key 'k' is now READ_HOT with 4 salts, SALTING, PINNED");
    assertThat(applied.result().getHotKeyTableVersion()).isEqualTo(1);
    assertThat(applied.registry().table().version()).isEqualTo(1);
    assertThat(applied.registry().table().lookup(key("k"))).contains(SALTING);
    assertThat(applied.registry().changedAtMs(key("k"))).hasValue(1_000);
  }

  @Test
  void everyChangeRaisesTheVersionByExactlyOne() {
    HotKeyRegistry registry = HotKeyRegistry.empty();
    registry = ok(registry, insert(SALTING, 1));
    registry = ok(registry, insert(pinned("other", 2), 2));
    registry = ok(registry, set(ACTIVE, Optional.of(SALTING), 3));
    registry = registry.apply(drop(key("other"), Optional.empty())).registry();

    assertThat(registry.table().version()).isEqualTo(4);
    assertThat(registry.table().entries()).containsOnlyKeys(key("k"));
    assertThat(registry.changedAtMs(key("k"))).hasValue(3);
    assertThat(registry.changedAtMs(key("other"))).isEmpty();
  }

  @Test
  void applyingWhatTheTableHoldsChangesNothing() {
    HotKeyRegistry registry = ok(HotKeyRegistry.empty(), insert(SALTING, 1_000));

    HotKeyRegistry.Applied again = registry.apply(insert(SALTING, 2_000));

    assertThat(again.result().getStatus()).isEqualTo(Status.OK);
    assertThat(again.registry()).isSameAs(registry);
    assertThat(again.result().getHotKeyTableVersion()).isEqualTo(1);
    assertThat(again.registry().changedAtMs(key("k"))).as("the first change time stays").hasValue(1_000);
  }

  @Test
  void aChangeComputedFromTheEntryTheTableHoldsApplies() {
    HotKeyRegistry registry = ok(HotKeyRegistry.empty(), insert(SALTING, 1));

    HotKeyRegistry after = ok(registry, set(ACTIVE, Optional.of(SALTING), 2));

    assertThat(after.table().lookup(key("k"))).contains(ACTIVE);
    assertThat(after.table().version()).isEqualTo(2);
  }

  @Test
  void aChangeComputedFromAnotherEntryIsAConflictAndChangesNothing() {
    HotKeyRegistry registry = ok(HotKeyRegistry.empty(), insert(SALTING, 1));
    HotKey unsalting = SALTING.withState(State.UNSALTING);
    registry = ok(registry, set(unsalting, Optional.of(SALTING), 2));

    // A salting operator that read the table before the key was marked UNSALTING.
    HotKeyRegistry.Applied late = registry.apply(set(ACTIVE, Optional.of(SALTING), 3));

    assertThat(late.result().getStatus()).isEqualTo(Status.CONFLICT);
    assertThat(late.result().getMessage()).isEqualTo("hot key 'k' is READ_HOT with 4 salts, UNSALTING, PINNED,"
        + " not READ_HOT with 4 salts, SALTING, PINNED as the change expected");
    assertThat(late.registry()).isSameAs(registry);
  }

  @Test
  void insertingAKeyThatIsInTheTableIsAConflict() {
    HotKeyRegistry registry = ok(HotKeyRegistry.empty(), insert(SALTING, 1));

    HotKeyRegistry.Applied second = registry.apply(insert(pinned("k", 8), 2));

    assertThat(second.result().getStatus()).isEqualTo(Status.CONFLICT);
    assertThat(second.result().getMessage()).endsWith("not absent as the change expected");
    assertThat(second.registry()).isSameAs(registry);
  }

  @Test
  void replacingAKeyThatLeftTheTableIsAConflict() {
    HotKeyRegistry.Applied applied = HotKeyRegistry.empty().apply(set(ACTIVE, Optional.of(SALTING), 1));

    assertThat(applied.result().getStatus()).isEqualTo(Status.CONFLICT);
    assertThat(applied.result().getMessage()).startsWith("hot key 'k' is not in the table, not READ_HOT");
  }

  @Test
  void anExpectedEntryOfAnotherKeyIsInvalid() {
    HotKeyRegistry.Applied applied = HotKeyRegistry.empty().apply(set(SALTING, Optional.of(pinned("j", 4)), 1));

    assertThat(applied.result().getStatus()).isEqualTo(Status.INVALID);
    assertThat(applied.result().getMessage()).isEqualTo("the expected entry is for key 'j', not 'k'");
  }

  static Stream<Arguments> invalidEntries() {
    HotKeyEntry valid = HotKeyProtos.toEntry(SALTING, 1);
    ByteString reserved = ByteString.copyFrom(new byte[] {0x00, 0x70, 0x6e, 0x64, 0x01});
    return Stream.of(
        Arguments.of(valid.toBuilder().setKey(ByteString.EMPTY).build(), "key must not be empty"),
        Arguments.of(valid.toBuilder().setKey(reserved).build(), "reserved namespace"),
        Arguments.of(valid.toBuilder().setKey(ByteString.copyFrom(new byte[RequestLimits.MAX_KEY_BYTES - 6])).build(),
            "only keys of up to 4089 bytes can be salted"),
        Arguments.of(valid.toBuilder().setSalts(1).build(), "salt count must be in 2..64, got 1"),
        Arguments.of(valid.toBuilder().setSalts(65).build(), "salt count must be in 2..64, got 65"),
        Arguments.of(valid.toBuilder().setMode(HotKeyEntry.Mode.MODE_UNSPECIFIED).build(),
            "mode must be READ_HOT or WRITE_HOT_COUNTER, got 0"),
        Arguments.of(valid.toBuilder().setModeValue(7).build(), "mode must be READ_HOT or WRITE_HOT_COUNTER, got 7"),
        Arguments.of(valid.toBuilder().setState(HotKeyEntry.State.STATE_UNSPECIFIED).build(),
            "state must be SALTING, ACTIVE or UNSALTING, got 0"),
        Arguments.of(valid.toBuilder().setOrigin(HotKeyEntry.Origin.ORIGIN_UNSPECIFIED).build(),
            "origin must be DETECTED or PINNED, got 0"));
  }

  @ParameterizedTest
  @MethodSource("invalidEntries")
  void anInvalidEntryIsRefusedAndChangesNothing(HotKeyEntry entry, String reason) {
    HotKeyRegistry registry = ok(HotKeyRegistry.empty(), insert(pinned("other", 2), 1));

    HotKeyRegistry.Applied applied = registry.apply(SetHotKeyCommand.newBuilder().setEntry(entry).build());

    assertThat(applied.result().getStatus()).isEqualTo(Status.INVALID);
    assertThat(applied.result().getMessage()).startsWith("invalid hot-key entry: ").contains(reason);
    assertThat(applied.registry()).isSameAs(registry);
  }

  @Test
  void aFullTableRefusesANewKeyButStillChangesItsOwnKeys() {
    List<HotKeyEntry> entries = new ArrayList<>();
    for (int i = 0; i < HotKeyTable.MAX_ENTRIES; i++) {
      entries.add(HotKeyProtos.toEntry(pinned("key-" + i, 2), 1));
    }
    HotKeyRegistry full = HotKeyRegistry.fromProto(7, entries);

    HotKeyRegistry.Applied refused = full.apply(insert(pinned("one-more", 2), 2));
    HotKey first = pinned("key-0", 2);
    HotKeyRegistry.Applied changed = full.apply(set(first.withState(State.ACTIVE), Optional.of(first), 2));

    assertThat(refused.result().getStatus()).isEqualTo(Status.TABLE_FULL);
    assertThat(refused.result().getMessage()).contains("the hot-key table is full (10000 keys)");
    assertThat(refused.registry()).isSameAs(full);
    assertThat(changed.result().getStatus()).isEqualTo(Status.OK);
    assertThat(changed.registry().table().version()).isEqualTo(8);
  }

  @Test
  void droppingRemovesTheEntryAndRaisesTheVersion() {
    HotKeyRegistry registry = ok(HotKeyRegistry.empty(), insert(SALTING, 1));
    HotKey unsalting = SALTING.withState(State.UNSALTING);
    registry = ok(registry, set(unsalting, Optional.of(SALTING), 2));

    HotKeyRegistry.Applied dropped = registry.apply(drop(key("k"), Optional.of(unsalting)));

    assertThat(dropped.result().getStatus()).isEqualTo(Status.OK);
    assertThat(dropped.result().getHotKeyTableVersion()).isEqualTo(3);
    assertThat(dropped.registry().table().entries()).isEmpty();
    assertThat(dropped.registry().changedAtMs(key("k"))).isEmpty();
  }

  @Test
  void droppingAKeyThatIsNotInTheTableChangesNothing() {
    HotKeyRegistry registry = ok(HotKeyRegistry.empty(), insert(SALTING, 1));

    HotKeyRegistry.Applied applied = registry.apply(drop(key("absent"), Optional.empty()));

    assertThat(applied.result().getStatus()).isEqualTo(Status.OK);
    assertThat(applied.registry()).isSameAs(registry);
  }

  @Test
  void aDropComputedFromAnotherEntryIsAConflict() {
    HotKeyRegistry registry = ok(HotKeyRegistry.empty(), insert(SALTING, 1));

    HotKeyRegistry.Applied applied = registry.apply(drop(key("k"), Optional.of(SALTING.withState(State.UNSALTING))));

    assertThat(applied.result().getStatus()).isEqualTo(Status.CONFLICT);
    assertThat(applied.registry()).isSameAs(registry);
  }

  @Test
  void theSnapshotIsSortedByUnsignedKeyAndReadsBackEqual() {
    HotKey high = new HotKey(ByteString.copyFrom(new byte[] {(byte) 0xff}), Mode.WRITE_HOT_COUNTER, 64,
        State.ACTIVE, Origin.DETECTED);
    HotKeyRegistry registry = ok(HotKeyRegistry.empty(), insert(high, 5));
    registry = ok(registry, insert(readHot("a", 2, State.UNSALTING, Origin.PINNED), 6));

    List<HotKeyEntry> snapshot = registry.toProto();
    HotKeyRegistry restored = HotKeyRegistry.fromProto(registry.table().version(), snapshot);

    assertThat(snapshot).extracting(HotKeyEntry::getKey).containsExactly(key("a"), high.key());
    assertThat(snapshot).extracting(HotKeyEntry::getChangedAtMs).containsExactly(6L, 5L);
    assertThat(restored).isEqualTo(registry);
    assertThat(restored.table().version()).isEqualTo(2);
  }

  @Test
  void aCorruptSnapshotIsRefusedNamingTheKey() {
    HotKeyEntry entry = HotKeyProtos.toEntry(SALTING, 1);

    assertThatThrownBy(() -> HotKeyRegistry.fromProto(1, List.of(entry, entry)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hot key 'k' appears twice");
    assertThatThrownBy(() -> HotKeyRegistry.fromProto(1, List.of(entry.toBuilder().setSalts(0).build())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hot key 'k': salt count must be in 2..64, got 0");
  }
}
