package pando.pd.hot;

import static org.assertj.core.api.Assertions.assertThat;
import static pando.pd.hot.HotKeys.key;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;
import pando.internal.v1.HotKeyEntry;
import pando.internal.v1.SetHotKeyCommand;

class HotKeyProtosTest {
  private static List<HotKey> everyKind() {
    List<HotKey> all = new ArrayList<>();
    for (Mode mode : Mode.values()) {
      for (State state : State.values()) {
        for (Origin origin : Origin.values()) {
          all.add(new HotKey(key("k"), mode, 5, state, origin));
        }
      }
    }
    return all;
  }

  @Test
  void everyModeStateAndOriginSurvivesTheLog() {
    for (HotKey hot : everyKind()) {
      HotKeyEntry entry = HotKeyProtos.toEntry(hot, 42);

      assertThat(HotKeyProtos.fromEntry(entry)).isEqualTo(hot);
      assertThat(entry.getChangedAtMs()).isEqualTo(42);
    }
  }

  @Test
  void thePublicFormNamesTheSameModeStateAndOrigin() {
    for (HotKey hot : everyKind()) {
      pando.v1.HotKey shown = HotKeyProtos.toPublic(hot);

      assertThat(shown.getKey()).isEqualTo(hot.key());
      assertThat(shown.getSalts()).isEqualTo(hot.salts());
      assertThat(shown.getMode().name()).isEqualTo(hot.mode().name());
      assertThat(shown.getState().name()).isEqualTo(hot.state().name());
      assertThat(shown.getOrigin().name()).isEqualTo(hot.origin().name());
      assertThat(HotKeyProtos.fromPublic(shown.getMode())).contains(hot.mode());
    }
  }

  @Test
  void aRequestWithoutAKnownModeNamesNone() {
    assertThat(HotKeyProtos.fromPublic(pando.v1.HotKey.Mode.MODE_UNSPECIFIED)).isEmpty();
    assertThat(HotKeyProtos.fromPublic(pando.v1.HotKey.Mode.UNRECOGNIZED)).isEmpty();
  }

  @Test
  void aSetCommandComparesWithTheEntryItWasComputedFromAndOnlyTheNewEntryCarriesATime() {
    HotKey before = HotKeys.pinned("k", 4);
    HotKey after = before.withState(State.ACTIVE);

    SetHotKeyCommand replace = HotKeyProtos.setHotKey(after, Optional.of(before), 42).getSetHotKey();
    SetHotKeyCommand insert = HotKeyProtos.setHotKey(before, Optional.empty(), 42).getSetHotKey();

    assertThat(replace.getEntry()).isEqualTo(HotKeyProtos.toEntry(after, 42));
    assertThat(replace.getExpected()).isEqualTo(HotKeyProtos.toEntry(before, 0));
    assertThat(insert.getEntry()).isEqualTo(HotKeyProtos.toEntry(before, 42));
    assertThat(insert.hasExpected()).isFalse();
  }
}
