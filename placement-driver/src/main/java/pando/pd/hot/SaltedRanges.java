package pando.pd.hot;

import java.util.HashSet;
import java.util.Set;
import pando.api.hot.HotKey;
import pando.api.hot.HotKeyTable;
import pando.api.range.RangeTable;

/**
 * The ranges that serve salted keys: for every key in the hot-key table that is not being
 * unsalted, the range of its plain key and the range of each copy.
 *
 * <p>Why the scheduler treats them as hot whatever their measured load: a copy's key is placed by
 * its hash, so two copies of one key often land in ranges led by the same node, and then salting
 * only moves the key's reads from one node to another. Counted among the hot ranges, their
 * leaders are spread over the nodes ({@link HotLeaderSpread}) and kept out of the leader-count
 * balance, which would otherwise pile them up again. The plain key's range is included because it
 * still takes every write of a read-hot key (and the reads of a counter), so it should not share a
 * node with a copy either.
 */
public final class SaltedRanges {
  private SaltedRanges() {}

  public static Set<Long> of(HotKeyTable hotKeys, RangeTable ranges) {
    Set<Long> ids = new HashSet<>();
    for (HotKey hot : hotKeys.entries().values()) {
      if (hot.state() == HotKey.State.UNSALTING) {
        continue; // reads and increments are back on the plain key; the copies are going away
      }
      ids.add(ranges.locate(hot.key().toByteArray()).rangeId());
      hot.copies().forEach(copy -> ids.add(ranges.locate(copy.toByteArray()).rangeId()));
    }
    return Set.copyOf(ids);
  }
}
