package pando.store;

import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * A byte-array map that keeps count of the bytes of its keys and values as entries are put and
 * removed, so a range's size is known without scanning it. Only {@link #get}, {@link #put} and
 * {@link #remove} change the count; the entry set is for reading.
 */
final class SizedMap extends AbstractMap<byte[], byte[]> {
  private final Map<byte[], byte[]> map;
  private long bytes;

  SizedMap(Map<byte[], byte[]> map, long bytes) {
    this.map = map;
    this.bytes = bytes;
  }

  /** The bytes of every key and value in {@code map}, by reading all of it. */
  static long count(Map<byte[], byte[]> map) {
    long total = 0;
    for (Map.Entry<byte[], byte[]> e : map.entrySet()) {
      total += e.getKey().length + e.getValue().length;
    }
    return total;
  }

  long bytes() {
    return bytes;
  }

  @Override
  public byte[] get(Object key) {
    return map.get(key);
  }

  @Override
  public byte[] put(byte[] key, byte[] value) {
    byte[] old = map.put(key, value);
    bytes += value.length - (old == null ? -key.length : old.length);
    return old;
  }

  @Override
  public byte[] remove(Object key) {
    byte[] old = map.remove(key);
    if (old != null) {
      bytes -= ((byte[]) key).length + old.length;
    }
    return old;
  }

  @Override
  public Set<Map.Entry<byte[], byte[]>> entrySet() {
    return java.util.Collections.unmodifiableMap(map).entrySet();
  }
}
