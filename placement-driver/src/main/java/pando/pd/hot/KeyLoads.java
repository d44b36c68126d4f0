package pando.pd.hot;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pando.api.hot.HotKey;
import pando.api.hot.HotKeyTable;
import pando.api.hot.SaltedKeys;

/**
 * Each key's operations per second, for people ({@code pando admin hotkeys}): the certain counts of
 * its samples (count - error) over their windows, its copies summed into the plain key. Operations
 * a copy receives because of another one are left out: the copy writes of a read-hot key (each
 * write of the key is counted once, at the primary) and the reads of a salted counter's copies
 * (each read of the counter is counted once, at the plain key). Pure.
 */
public final class KeyLoads {
  private KeyLoads() {}

  public static Map<ByteString, KeyRates> of(List<RangeLoad> loads, HotKeyTable table) {
    Map<ByteString, double[]> sums = new HashMap<>();
    for (RangeLoad load : loads) {
      for (KeySample sample : load.topKeys()) {
        Optional<SaltedKeys.Copy> copy = SaltedKeys.parse(sample.key());
        if (sample.truncated() || (copy.isEmpty() && SaltedKeys.isReserved(sample.key()))) {
          continue;
        }
        ByteString key = copy.map(SaltedKeys.Copy::key).orElse(sample.key());
        HotKey.Mode mode = table.lookup(key).map(HotKey::mode).orElse(HotKey.Mode.READ_HOT);
        boolean echoedWrites = copy.isPresent() && mode == HotKey.Mode.READ_HOT;
        boolean echoedReads = copy.isPresent() && mode == HotKey.Mode.WRITE_HOT_COUNTER;
        double[] sum = sums.computeIfAbsent(key, k -> new double[3]);
        sum[0] += echoedReads ? 0 : load.perSec(sample.reads());
        sum[1] += echoedWrites ? 0 : load.perSec(sample.writes());
        sum[2] += load.perSec(sample.increments());
      }
    }
    Map<ByteString, KeyRates> rates = new HashMap<>();
    sums.forEach((key, sum) -> rates.put(key, new KeyRates(sum[0], sum[1], sum[2], Optional.empty())));
    return rates;
  }
}
