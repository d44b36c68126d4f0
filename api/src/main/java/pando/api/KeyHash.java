package pando.api;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;

/**
 * The one function that places a key in the hash space.
 *
 * <p>It is the first 64 bits (little-endian) of MurmurHash3 x64 128-bit with seed 0 over the key's
 * bytes. It is fixed forever: a client and a node that disagreed on it would route a key to the
 * wrong range, and a change would move every stored key.
 */
public final class KeyHash {
  private static final HashFunction MURMUR3 = Hashing.murmur3_128(0);

  private KeyHash() {}

  /** The key's position in the unsigned 64-bit hash space. */
  public static long of(byte[] key) {
    return MURMUR3.hashBytes(key).asLong();
  }
}
