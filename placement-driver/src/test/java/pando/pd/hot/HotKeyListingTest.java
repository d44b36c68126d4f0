package pando.pd.hot;

import static org.assertj.core.api.Assertions.assertThat;
import static pando.pd.hot.HotKeys.insert;
import static pando.pd.hot.HotKeys.key;
import static pando.pd.hot.HotKeys.pinned;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;
import pando.v1.HotKeyInfo;
import pando.v1.HotKeyLoad;
import pando.v1.ListHotKeysResponse;

class HotKeyListingTest {
  private static KeyRates rates(double reads, double writes, double increments) {
    return new KeyRates(reads, writes, increments, Optional.empty());
  }

  private static HotKeyRegistry registryOf(long changedAtMs, HotKey... entries) {
    HotKeyRegistry registry = HotKeyRegistry.empty();
    for (HotKey hot : entries) {
      registry = registry.apply(insert(hot, changedAtMs)).registry();
    }
    return registry;
  }

  private static String text(HotKeyInfo info) {
    return info.getHotKey().getKey().toStringUtf8();
  }

  @Test
  void tableEntriesComeFirstByKeyWithTheirLoadAndAge() {
    HotKey counter = new HotKey(key("b"), Mode.WRITE_HOT_COUNTER, 8, State.ACTIVE, Origin.DETECTED);
    HotKeyRegistry registry = registryOf(10_000, counter, pinned("a", 4));

    ListHotKeysResponse listing = HotKeyListing.list(registry, Map.of(key("b"), rates(1, 2, 3_000)), 12_500);

    assertThat(listing.getTableVersion()).isEqualTo(2);
    assertThat(listing.getHotKeysList()).extracting(HotKeyListingTest::text).containsExactly("a", "b");
    HotKeyInfo a = listing.getHotKeys(0);
    assertThat(a.getInTable()).isTrue();
    assertThat(a.getHotKey()).isEqualTo(HotKeyProtos.toPublic(pinned("a", 4)));
    assertThat(a.hasLoad()).as("no report names a").isFalse();
    assertThat(a.getAgeMs()).isEqualTo(2_500);
    HotKeyInfo b = listing.getHotKeys(1);
    assertThat(b.getHotKey()).isEqualTo(HotKeyProtos.toPublic(counter));
    assertThat(b.getLoad()).isEqualTo(HotKeyLoad.newBuilder()
        .setReadsPerSecond(1).setWritesPerSecond(2).setIncrementsPerSecond(3_000).build());
  }

  @Test
  void hotKeysNotInTheTableFollowHottestFirstWithHowTheDetectorWouldSaltThem() {
    HotKeyRegistry registry = registryOf(0, pinned("in-table", 2));
    Map<ByteString, KeyRates> rates = Map.of(
        key("in-table"), rates(100, 0, 0),
        key("warm"), new KeyRates(6_000, 10, 0, Optional.of(new KeyRates.Salting(Mode.READ_HOT, 3))),
        key("hottest"), new KeyRates(0, 0, 9_000, Optional.of(new KeyRates.Salting(Mode.WRITE_HOT_COUNTER, 5))),
        key("written"), rates(100, 7_000, 0));

    ListHotKeysResponse listing = HotKeyListing.list(registry, rates, 0);

    assertThat(listing.getHotKeysList()).extracting(HotKeyListingTest::text)
        .containsExactly("in-table", "hottest", "written", "warm");
    assertThat(listing.getHotKeysList()).extracting(HotKeyInfo::getInTable).containsExactly(true, false, false, false);
    HotKeyInfo hottest = listing.getHotKeys(1);
    assertThat(hottest.getHotKey()).isEqualTo(pando.v1.HotKey.newBuilder().setKey(key("hottest"))
        .setMode(pando.v1.HotKey.Mode.WRITE_HOT_COUNTER).setSalts(5)
        .setOrigin(pando.v1.HotKey.Origin.DETECTED).build());
    assertThat(hottest.getLoad().getIncrementsPerSecond()).isEqualTo(9_000);
    assertThat(hottest.getAgeMs()).isZero();
    HotKeyInfo written = listing.getHotKeys(2);
    assertThat(written.getHotKey().getMode()).as("not salted: hot with writes")
        .isEqualTo(pando.v1.HotKey.Mode.MODE_UNSPECIFIED);
    assertThat(written.getHotKey().getSalts()).isZero();
  }

  @Test
  void atMostAThousandKeysNotInTheTableAreShownTheHottest() {
    Map<ByteString, KeyRates> rates = new HashMap<>();
    for (int i = 1; i <= HotKeyListing.CANDIDATES_SHOWN_MAX + 5; i++) {
      rates.put(key("key-" + i), rates(i, 0, 0));
    }

    ListHotKeysResponse listing = HotKeyListing.list(HotKeyRegistry.empty(), rates, 0);

    assertThat(listing.getHotKeysCount()).isEqualTo(1_000);
    assertThat(text(listing.getHotKeys(0))).isEqualTo("key-1005");
    assertThat(text(listing.getHotKeys(999))).isEqualTo("key-6");
  }

  @Test
  void equallyHotKeysAreListedByKey() {
    Map<ByteString, KeyRates> rates = Map.of(key("b"), rates(5, 0, 0), key("a"), rates(2, 3, 0));

    assertThat(HotKeyListing.list(HotKeyRegistry.empty(), rates, 0).getHotKeysList())
        .extracting(HotKeyListingTest::text).containsExactly("a", "b");
  }
}
