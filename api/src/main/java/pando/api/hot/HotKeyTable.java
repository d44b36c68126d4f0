package pando.api.hot;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The PD's hot-key table as clients fetch it: every hot key by its plain key, and a version that
 * grows with each change so a client can tell whether its copy is current.
 *
 * <p>Immutable: {@link #with} and {@link #without} return a new table with {@code version + 1},
 * or this very table when the change would change nothing (so replaying a change is harmless and
 * does not make clients refetch). Lookups are hash-map lookups, O(1) in the number of entries.
 *
 * <p>Guarantees: the version is not negative, at most {@link #MAX_ENTRIES} entries, and each entry
 * is filed under its own key.
 *
 * @param version 0 for the empty table the PD starts from
 * @param entries every hot key, by its plain key
 */
public record HotKeyTable(long version, Map<ByteString, HotKey> entries) {
  /**
   * A client holds the whole table and consults it on every request; this bounds its memory (about
   * 10,000 keys of up to 4 KiB) and the size of one fetch.
   */
  public static final int MAX_ENTRIES = 10_000;

  public HotKeyTable {
    if (version < 0) {
      throw new IllegalArgumentException("table version must not be negative, got " + version);
    }
    entries = Map.copyOf(entries);
    if (entries.size() > MAX_ENTRIES) {
      throw new IllegalArgumentException(
          "a hot-key table holds at most " + MAX_ENTRIES + " keys, got " + entries.size());
    }
    entries.forEach((key, hot) -> {
      if (!key.equals(hot.key())) {
        throw new IllegalArgumentException("an entry is filed under another key than its own");
      }
    });
  }

  public static HotKeyTable empty() {
    return new HotKeyTable(0, Map.of());
  }

  /** The entry of {@code key}, empty if the key is plain. */
  public Optional<HotKey> lookup(ByteString key) {
    return Optional.ofNullable(entries.get(key));
  }

  public int size() {
    return entries.size();
  }

  /** The table with {@code hot} added, or replacing the entry of its key. */
  public HotKeyTable with(HotKey hot) {
    if (hot.equals(entries.get(hot.key()))) {
      return this;
    }
    Map<ByteString, HotKey> next = new HashMap<>(entries);
    next.put(hot.key(), hot);
    return new HotKeyTable(version + 1, next);
  }

  /** The table without {@code key}'s entry. */
  public HotKeyTable without(ByteString key) {
    if (!entries.containsKey(key)) {
      return this;
    }
    Map<ByteString, HotKey> next = new HashMap<>(entries);
    next.remove(key);
    return new HotKeyTable(version + 1, next);
  }
}
