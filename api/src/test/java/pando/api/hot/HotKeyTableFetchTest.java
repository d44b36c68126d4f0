package pando.api.hot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;
import pando.v1.HotKeysResponse;

class HotKeyTableFetchTest {
  @Test
  void theLargestTableThePdCanHoldFitsTheFetchBound() {
    ByteString longestKey = ByteString.copyFromUtf8("k".repeat(SaltedKeys.MAX_SALTABLE_KEY_BYTES));
    HotKey largest = new HotKey(longestKey, Mode.WRITE_HOT_COUNTER, SaltedKeys.MAX_SALTS, State.UNSALTING,
        Origin.PINNED);
    // One entry with the largest version, counted once per entry: an upper bound of a full table.
    int perEntry = HotKeysResponse.newBuilder()
        .setVersion(Long.MAX_VALUE)
        .addEntries(HotKeyMessages.toMessage(largest))
        .build()
        .getSerializedSize();

    assertThat((long) HotKeyTable.MAX_ENTRIES * perEntry).isLessThanOrEqualTo(HotKeyTableFetch.TABLE_BYTES_MAX);
  }
}
