package pando.store;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * A byte-array map that keeps count of its entries and of the bytes of their keys and values as
 * entries are put and removed, so a range's size is known without scanning it (a MapDB tree counts
 * its entries by reading every leaf). Only {@link #put}, {@link #remove} and {@link #uncount}
 * change the counts; the entry set is for reading.
 */
final class SizedMap extends AbstractMap<byte[], byte[]> {
  /** A map's entries and the bytes of their keys and values. */
  record Size(long entries, long bytes) {
    static final Size EMPTY = new Size(0, 0);
  }

  private final Map<byte[], byte[]> map;
  private long entries;
  private long bytes;

  SizedMap(Map<byte[], byte[]> map, Size size) {
    this.map = map;
    this.entries = size.entries();
    this.bytes = size.bytes();
  }

  /** The size of {@code map}, by reading all of it. */
  static Size count(Map<byte[], byte[]> map) {
    long entries = 0;
    long bytes = 0;
    for (Map.Entry<byte[], byte[]> e : map.entrySet()) {
      entries++;
      bytes += e.getKey().length + e.getValue().length;
    }
    return new Size(entries, bytes);
  }

  long bytes() {
    return bytes;
  }

  long entries() {
    return entries;
  }

  Size counted() {
    return new Size(entries, bytes);
  }

  /**
   * Takes entries out of the counts that stay in the map for now: keys a split moved to another
   * range, which the owner removes from the wrapped map later, past this class.
   */
  void uncount(Size moved) {
    entries -= moved.entries();
    bytes -= moved.bytes();
  }

  @Override
  public int size() {
    return (int) Math.min(entries, Integer.MAX_VALUE);
  }

  @Override
  public boolean isEmpty() {
    return entries == 0;
  }

  @Override
  public byte[] get(Object key) {
    return map.get(key);
  }

  @Override
  public byte[] put(byte[] key, byte[] value) {
    byte[] old = map.put(key, value);
    if (old == null) {
      entries++;
    }
    bytes += value.length - (old == null ? -key.length : old.length);
    return old;
  }

  @Override
  public byte[] remove(Object key) {
    byte[] old = map.remove(key);
    if (old != null) {
      entries--;
      bytes -= ((byte[]) key).length + old.length;
    }
    return old;
  }

  @Override
  public Set<Map.Entry<byte[], byte[]>> entrySet() {
    return java.util.Collections.unmodifiableMap(map).entrySet();
  }
}
