package pando.store;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Map;
import pando.internal.v1.KeyMeta;

/**
 * The {@link KeyMeta} of each key of a range, over a map of key bytes to serialized {@code
 * KeyMeta}, kept apart from the values so that plain reads never see it.
 *
 * <p>A key without an entry has the empty {@code KeyMeta}, and an empty one is never stored: a
 * command that empties a key's meta removes its entry, so the map holds only keys that have
 * something to say.
 */
final class KeyMetas {
  private final Map<byte[], byte[]> map;

  KeyMetas(Map<byte[], byte[]> map) {
    this.map = map;
  }

  /** The key's meta; the empty one if it has none. */
  KeyMeta of(byte[] key) {
    byte[] stored = map.get(key);
    if (stored == null) {
      return KeyMeta.getDefaultInstance();
    }
    try {
      return KeyMeta.parseFrom(stored);
    } catch (InvalidProtocolBufferException e) {
      // Only this class writes the map, so this is a damaged file, not a bad command.
      throw new IllegalStateException("stored meta of a key does not parse", e);
    }
  }

  /** Stores the key's meta, or removes its entry if {@code meta} is empty. */
  void put(byte[] key, KeyMeta meta) {
    if (meta.equals(KeyMeta.getDefaultInstance())) {
      map.remove(key);
    } else {
      map.put(key, meta.toByteArray());
    }
  }

  void remove(byte[] key) {
    map.remove(key);
  }
}
