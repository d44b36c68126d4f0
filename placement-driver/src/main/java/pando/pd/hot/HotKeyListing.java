package pando.pd.hot;

import com.google.protobuf.ByteString;
import java.util.Comparator;
import java.util.Map;
import pando.api.hot.HotKey;
import pando.v1.HotKeyInfo;
import pando.v1.HotKeyLoad;
import pando.v1.ListHotKeysResponse;

/**
 * What operators see of hot keys ({@code Admin.ListHotKeys}): every entry of the table with its load
 * and age, then the keys the detector sees as hot that are not in the table. Pure: the registry,
 * the rates and the time go in.
 */
public final class HotKeyListing {
  /**
   * The most keys not in the table that one listing shows, the hottest: the detector tracks about
   * as many keys as ranges report, and an operator looks for the few at the top.
   */
  public static final int CANDIDATES_SHOWN_MAX = 1_000;

  private HotKeyListing() {}

  /**
   * The listing at {@code nowMs} (wall clock, the clock of the entries' change times): the table's
   * entries by key, then at most {@link #CANDIDATES_SHOWN_MAX} keys of {@code rates} that are not in
   * the table, hottest first (ties by key).
   */
  public static ListHotKeysResponse list(HotKeyRegistry registry, Map<ByteString, KeyRates> rates, long nowMs) {
    ListHotKeysResponse.Builder listing = ListHotKeysResponse.newBuilder()
        .setTableVersion(registry.table().version());
    for (HotKey hot : registry.sorted()) {
      HotKeyInfo.Builder info = HotKeyInfo.newBuilder()
          .setHotKey(HotKeyProtos.toPublic(hot))
          .setInTable(true)
          .setAgeMs(Math.max(0, nowMs - registry.changedAtMs(hot.key()).orElseThrow()));
      KeyRates load = rates.get(hot.key());
      if (load != null) {
        info.setLoad(load(load));
      }
      listing.addHotKeys(info);
    }
    rates.entrySet().stream()
        .filter(e -> registry.table().lookup(e.getKey()).isEmpty())
        .sorted(Comparator.<Map.Entry<ByteString, KeyRates>>comparingDouble(e -> e.getValue().opsPerSec())
            .reversed()
            .thenComparing(Map.Entry::getKey, ByteString.unsignedLexicographicalComparator()))
        .limit(CANDIDATES_SHOWN_MAX)
        .forEach(e -> listing.addHotKeys(candidate(e.getKey(), e.getValue())));
    return listing.build();
  }

  private static HotKeyInfo candidate(ByteString key, KeyRates rates) {
    pando.v1.HotKey.Builder hot = pando.v1.HotKey.newBuilder()
        .setKey(key)
        .setOrigin(pando.v1.HotKey.Origin.DETECTED);
    rates.wouldSalt().ifPresent(s -> hot.setMode(HotKeyProtos.toPublic(s.mode())).setSalts(s.salts()));
    return HotKeyInfo.newBuilder().setHotKey(hot).setInTable(false).setLoad(load(rates)).build();
  }

  private static HotKeyLoad load(KeyRates rates) {
    return HotKeyLoad.newBuilder()
        .setReadsPerSecond(rates.readsPerSec())
        .setWritesPerSecond(rates.writesPerSec())
        .setIncrementsPerSecond(rates.incrementsPerSec())
        .build();
  }
}
