package pando.pd.hot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;
import pando.api.hot.HotKeyTable;
import pando.api.range.RangeTable;

class SaltedRangesTest {
  private static final List<String> ABC = List.of("a", "b", "c");
  private static final RangeTable SIXTEEN = RangeTable.initial(java.util.Collections.nCopies(16, ABC));

  @Test
  void thePlainKeysRangeAndEveryCopysRangeAreNamed() {
    HotKey readHot = HotKeys.readHot("celebrity", 4, State.ACTIVE, Origin.DETECTED);
    HotKey counter = new HotKey(HotKeys.key("likes"), Mode.WRITE_HOT_COUNTER, 3, State.SALTING, Origin.PINNED);

    Set<Long> expected = new HashSet<>();
    for (HotKey hot : List.of(readHot, counter)) {
      expected.add(rangeOf(hot.key()));
      hot.copies().forEach(copy -> expected.add(rangeOf(copy)));
    }

    assertThat(SaltedRanges.of(table(readHot, counter), SIXTEEN)).isEqualTo(expected).hasSizeGreaterThan(2);
  }

  @Test
  void keysBeingUnsaltedAndAnEmptyTableNameNoRange() {
    HotKey leaving = HotKeys.readHot("celebrity", 4, State.UNSALTING, Origin.DETECTED);

    assertThat(SaltedRanges.of(table(leaving), SIXTEEN)).isEmpty();
    assertThat(SaltedRanges.of(HotKeyTable.empty(), SIXTEEN)).isEmpty();
  }

  private static long rangeOf(ByteString key) {
    return SIXTEEN.locate(key.toByteArray()).rangeId();
  }

  private static HotKeyTable table(HotKey... keys) {
    HotKeyTable table = HotKeyTable.empty();
    for (HotKey hot : keys) {
      table = table.with(hot);
    }
    return table;
  }
}
