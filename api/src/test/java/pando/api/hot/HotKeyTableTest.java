package pando.api.hot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;

class HotKeyTableTest {
  private static final ByteString A = ByteString.copyFromUtf8("a");
  private static final ByteString B = ByteString.copyFromUtf8("b");

  @Test
  void everyChangeRaisesTheVersionByOneAndLeavesTheOldTableAlone() {
    HotKeyTable empty = HotKeyTable.empty();
    HotKey salting = new HotKey(A, Mode.READ_HOT, 4, State.SALTING, Origin.DETECTED);

    HotKeyTable one = empty.with(salting);
    HotKeyTable active = one.with(salting.withState(State.ACTIVE));
    HotKeyTable two = active.with(new HotKey(B, Mode.WRITE_HOT_COUNTER, 8, State.SALTING, Origin.PINNED));
    HotKeyTable gone = two.without(A);

    assertThat(empty.version()).isZero();
    assertThat(empty.size()).isZero();
    assertThat(one.version()).isEqualTo(1);
    assertThat(active.version()).isEqualTo(2);
    assertThat(active.lookup(A).orElseThrow().state()).isEqualTo(State.ACTIVE);
    assertThat(one.lookup(A).orElseThrow().state()).isEqualTo(State.SALTING);
    assertThat(two.version()).isEqualTo(3);
    assertThat(two.size()).isEqualTo(2);
    assertThat(gone.version()).isEqualTo(4);
    assertThat(gone.lookup(A)).isEmpty();
    assertThat(gone.lookup(B)).isPresent();
  }

  @Test
  void aChangeThatChangesNothingKeepsTheTableAndItsVersion() {
    HotKey hot = new HotKey(A, Mode.READ_HOT, 4, State.ACTIVE, Origin.DETECTED);
    HotKeyTable table = HotKeyTable.empty().with(hot);

    assertThat(table.with(hot)).isSameAs(table);
    assertThat(table.without(B)).isSameAs(table);
  }

  @Test
  void plainKeysAreNotInTheTable() {
    assertThat(HotKeyTable.empty().lookup(A)).isEmpty();
  }

  @Test
  void theTableRefusesNegativeVersionsMisfiledEntriesAndTooManyKeys() {
    HotKey hot = new HotKey(A, Mode.READ_HOT, 4, State.ACTIVE, Origin.DETECTED);
    assertThatThrownBy(() -> new HotKeyTable(-1, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HotKeyTable(1, Map.of(B, hot)))
        .isInstanceOf(IllegalArgumentException.class);

    Map<ByteString, HotKey> full = new HashMap<>();
    for (int i = 0; i <= HotKeyTable.MAX_ENTRIES; i++) {
      ByteString key = ByteString.copyFromUtf8("k" + i);
      full.put(key, new HotKey(key, Mode.READ_HOT, 2, State.ACTIVE, Origin.PINNED));
    }
    assertThatThrownBy(() -> new HotKeyTable(1, full))
        .hasMessageContaining("at most 10000");
  }
}
