package pando.pd.hot;

import static org.assertj.core.api.Assertions.assertThat;
import static pando.pd.hot.HotKeys.key;
import static pando.pd.hot.HotKeys.pinned;
import static pando.pd.hot.HotKeys.readHot;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;
import pando.api.hot.HotKeyTable;
import pando.pd.hot.HotKeyRequests.Decision;

class HotKeyRequestsTest {
  private static HotKeyTable tableOf(HotKey... entries) {
    Map<ByteString, HotKey> map = new HashMap<>();
    for (HotKey hot : entries) {
      map.put(hot.key(), hot);
    }
    return new HotKeyTable(entries.length, map);
  }

  // ---- pin ----

  @Test
  void pinningANewKeyAddsItSaltingAndPinned() {
    Decision decision = HotKeyRequests.pin(HotKeyTable.empty(), key("k"), Mode.WRITE_HOT_COUNTER, 8);

    assertThat(decision).isEqualTo(new Decision.Change(
        new HotKey(key("k"), Mode.WRITE_HOT_COUNTER, 8, State.SALTING, Origin.PINNED), Optional.empty()));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''          | 4  | key must not be empty",
      "reserved    | 4  | key lies in the reserved namespace (it starts with 00 70 6e 64)",
      "long        | 4  | key is 4090 bytes; only keys of up to 4089 bytes can be salted",
      "k           | 1  | salts must be in 2..64, got 1",
      "k           | 65 | salts must be in 2..64, got 65",
      "k           | -3 | salts must be in 2..64, got -3"})
  void aKeyThatCannotBeSaltedOrABadSaltCountIsAnInvalidArgument(String name, int salts, String message) {
    ByteString key = switch (name) {
      case "reserved" -> ByteString.copyFrom(new byte[] {0x00, 0x70, 0x6e, 0x64, 0x73});
      case "long" -> ByteString.copyFromUtf8("x".repeat(4090));
      default -> key(name);
    };

    Decision decision = HotKeyRequests.pin(HotKeyTable.empty(), key, Mode.READ_HOT, salts);

    assertThat(decision).isInstanceOfSatisfying(Decision.Refused.class, r -> {
      assertThat(r.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(r.message()).startsWith(message);
    });
  }

  @Test
  void aFullTableRefusesANewKeyButAnswersForAKeyItHolds() {
    Map<ByteString, HotKey> entries = new HashMap<>();
    for (int i = 0; i < HotKeyTable.MAX_ENTRIES; i++) {
      HotKey hot = pinned("key-" + i, 2);
      entries.put(hot.key(), hot);
    }
    HotKeyTable full = new HotKeyTable(1, entries);

    assertThat(HotKeyRequests.pin(full, key("new"), Mode.READ_HOT, 2))
        .isEqualTo(new Decision.Refused(Status.Code.FAILED_PRECONDITION,
            "the hot-key table is full (10000 keys); remove keys that are no longer hot first"));
    assertThat(HotKeyRequests.pin(full, key("key-7"), Mode.READ_HOT, 2))
        .isEqualTo(new Decision.Unchanged(pinned("key-7", 2)));
  }

  @ParameterizedTest
  @EnumSource(value = State.class, names = {"SALTING", "ACTIVE"})
  void pinningAPinnedKeyAgainWithTheSameSettingsChangesNothing(State state) {
    HotKey current = readHot("k", 4, state, Origin.PINNED);

    assertThat(HotKeyRequests.pin(tableOf(current), key("k"), Mode.READ_HOT, 4))
        .isEqualTo(new Decision.Unchanged(current));
  }

  @ParameterizedTest
  @EnumSource(value = State.class, names = {"SALTING", "ACTIVE"})
  void pinningADetectedKeyWithItsSettingsPinsItInItsState(State state) {
    HotKey detected = readHot("k", 4, state, Origin.DETECTED);

    assertThat(HotKeyRequests.pin(tableOf(detected), key("k"), Mode.READ_HOT, 4))
        .isEqualTo(new Decision.Change(readHot("k", 4, state, Origin.PINNED), Optional.of(detected)));
  }

  @ParameterizedTest
  @CsvSource({
      "SALTING, READ_HOT, 8",
      "SALTING, WRITE_HOT_COUNTER, 4",
      "ACTIVE, READ_HOT, 8",
      "ACTIVE, WRITE_HOT_COUNTER, 4"})
  void otherSettingsForAKeyInTheTableAreRefusedWithWhatToDo(State state, Mode mode, int salts) {
    HotKey current = readHot("k", 4, state, Origin.DETECTED);

    Decision decision = HotKeyRequests.pin(tableOf(current), key("k"), mode, salts);

    assertThat(decision).isEqualTo(new Decision.Refused(Status.Code.FAILED_PRECONDITION,
        "hot key 'k' is already READ_HOT with 4 salts, " + state + ", DETECTED; to change its mode or salts,"
            + " remove it ('pando admin hotkeys remove'), then add it again once it has left the table"));
  }

  @Test
  void aKeyBeingUnsaltedCannotBePinnedUntilItHasLeftTheTable() {
    HotKey unsalting = readHot("k", 4, State.UNSALTING, Origin.PINNED);

    assertThat(HotKeyRequests.pin(tableOf(unsalting), key("k"), Mode.READ_HOT, 4))
        .isEqualTo(new Decision.Refused(Status.Code.FAILED_PRECONDITION, "hot key 'k' is being unsalted;"
            + " add it again once it has left the table ('pando admin hotkeys' lists it until then)"));
  }

  // ---- unsalt ----

  @ParameterizedTest
  @CsvSource({"SALTING, PINNED", "ACTIVE, PINNED", "ACTIVE, DETECTED", "SALTING, DETECTED"})
  void unsaltingMovesTheEntryToUnsaltingWhateverItsOrigin(State state, Origin origin) {
    HotKey current = readHot("k", 4, state, origin);

    assertThat(HotKeyRequests.unsalt(tableOf(current), key("k")))
        .isEqualTo(new Decision.Change(readHot("k", 4, State.UNSALTING, origin), Optional.of(current)));
  }

  @Test
  void unsaltingAKeyAlreadyUnsaltingChangesNothing() {
    HotKey unsalting = readHot("k", 4, State.UNSALTING, Origin.PINNED);

    assertThat(HotKeyRequests.unsalt(tableOf(unsalting), key("k"))).isEqualTo(new Decision.Unchanged(unsalting));
  }

  @Test
  void unsaltingAKeyNotInTheTableIsNotFound() {
    assertThat(HotKeyRequests.unsalt(tableOf(pinned("other", 2)), ByteString.copyFrom(new byte[] {1, 2})))
        .isEqualTo(new Decision.Refused(Status.Code.NOT_FOUND,
            "no hot key 0x0102 in the table; 'pando admin hotkeys' lists them"));
  }
}
