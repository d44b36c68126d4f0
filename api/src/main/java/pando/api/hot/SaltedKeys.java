package pando.api.hot;

import com.google.protobuf.ByteString;
import java.util.Optional;
import pando.api.RequestLimits;

/**
 * How the salted copies of a hot key are named.
 *
 * <p>A copy's key is the reserved prefix {@code 00 70 6e 64} (a zero byte, then "pnd"), the kind
 * byte {@code 73} ("s", a salted copy), the salt index {@code i} (one byte, 0..S-1), the salt count
 * {@code S} (one byte, 2..64) and then the original key's bytes:
 *
 * <pre>
 *   00 70 6e 64 | 73 | i | S | key...
 * </pre>
 *
 * <p>Why this shape:
 *
 * <ul>
 *   <li>Every key that starts with the 4-byte prefix belongs to Pando, not to users ({@link
 *       #isReserved}); the request validator refuses such user keys, so a copy can never collide
 *       with a user's key. A single leading zero byte would not do: big-endian binary keys often
 *       start with one.
 *   <li>The salt index and count come before the key, so each copy hashes (with {@code KeyHash})
 *       to its own, unrelated position, and therefore usually to another range than its siblings.
 *   <li>The salt count is part of the name, so copies made for {@code S = 4} are different keys from
 *       those made for {@code S = 8}: a key salted again with another count never reads leftovers
 *       of the earlier salting, and an audit can tell the generations apart.
 * </ul>
 *
 * <p>Key length: a copy is {@link #OVERHEAD_BYTES} (7) bytes longer than its key. Copies stay
 * within {@link RequestLimits#MAX_KEY_BYTES}, so only keys of at most {@link
 * #MAX_SALTABLE_KEY_BYTES} (4089) bytes can be salted; longer keys stay plain. We chose that over
 * letting copies exceed the user limit because a copy is an ordinary key to the nodes: it is routed,
 * stored, split and checked like any other, and no node path needs an exception for it. Giving up
 * salting for keys of 4090..4096 bytes costs nothing in practice: the load sketch tracks long keys
 * only by a prefix and a hash, so they are not auto-detected anyway.
 */
public final class SaltedKeys {
  /** The first bytes of every key in Pando's internal namespace. */
  private static final byte[] RESERVED_PREFIX = {0x00, 0x70, 0x6e, 0x64};

  private static final byte SALTED_COPY_KIND = 0x73;
  /** Prefix, kind, salt index, salt count. */
  public static final int OVERHEAD_BYTES = RESERVED_PREFIX.length + 3;

  /** The longest key that can be salted: its copies then just fit the key limit. */
  public static final int MAX_SALTABLE_KEY_BYTES = RequestLimits.MAX_KEY_BYTES - OVERHEAD_BYTES;

  public static final int MIN_SALTS = 2;
  /** A read of a salted counter fans out to every copy; 64 bounds that fan-out. */
  public static final int MAX_SALTS = 64;

  private static final ByteString PREFIX = ByteString.copyFrom(RESERVED_PREFIX);

  private SaltedKeys() {}

  /** True if the key lies in Pando's internal namespace, which user requests may not use. */
  public static boolean isReserved(ByteString key) {
    return key.startsWith(PREFIX);
  }

  /**
   * The key of copy {@code salt} of {@code key} salted {@code salts} ways.
   *
   * @throws IllegalArgumentException if the key is empty, reserved or longer than {@link
   *     #MAX_SALTABLE_KEY_BYTES}, if {@code salts} is outside 2..64, or {@code salt} outside
   *     0..salts-1
   */
  public static ByteString salted(ByteString key, int salt, int salts) {
    copyRefusal(key, salt, salts).ifPresent(reason -> {
      throw new IllegalArgumentException(reason);
    });
    byte[] header = new byte[OVERHEAD_BYTES];
    System.arraycopy(RESERVED_PREFIX, 0, header, 0, RESERVED_PREFIX.length);
    header[RESERVED_PREFIX.length] = SALTED_COPY_KIND;
    header[RESERVED_PREFIX.length + 1] = (byte) salt;
    header[RESERVED_PREFIX.length + 2] = (byte) salts;
    return ByteString.copyFrom(header).concat(key);
  }

  /**
   * The original key, salt index and salt count of a copy's key; empty if {@code copyKey} is not a
   * well-formed copy (any user key, another internal key, or a header out of range).
   */
  public static Optional<Copy> parse(ByteString copyKey) {
    if (copyKey.size() <= OVERHEAD_BYTES
        || !isReserved(copyKey)
        || copyKey.byteAt(RESERVED_PREFIX.length) != SALTED_COPY_KIND) {
      return Optional.empty();
    }
    int salt = Byte.toUnsignedInt(copyKey.byteAt(RESERVED_PREFIX.length + 1));
    int salts = Byte.toUnsignedInt(copyKey.byteAt(RESERVED_PREFIX.length + 2));
    ByteString key = copyKey.substring(OVERHEAD_BYTES);
    if (salts < MIN_SALTS || salts > MAX_SALTS || salt >= salts || isReserved(key)) {
      return Optional.empty();
    }
    return Optional.of(new Copy(key, salt, salts));
  }

  /** Why the key cannot be salted, or empty if it can. */
  public static Optional<String> saltingRefusal(ByteString key) {
    if (key.isEmpty()) {
      return Optional.of("key must not be empty");
    }
    if (isReserved(key)) {
      return Optional.of("key lies in the reserved namespace (it starts with 00 70 6e 64)");
    }
    if (key.size() > MAX_SALTABLE_KEY_BYTES) {
      return Optional.of(
          "key is " + key.size() + " bytes; only keys of up to " + MAX_SALTABLE_KEY_BYTES
              + " bytes can be salted, so that each copy stays within the "
              + RequestLimits.MAX_KEY_BYTES + "-byte key limit");
    }
    return Optional.empty();
  }

  /**
   * Why {@code key} can have no copy {@code salt} of {@code salts}, or empty if it can: the checks
   * of {@link #salted}, for callers that refuse rather than throw.
   */
  public static Optional<String> copyRefusal(ByteString key, int salt, int salts) {
    return saltingRefusal(key).or(() -> saltsRefusal(salts)).or(() -> salt < 0 || salt >= salts
        ? Optional.of("salt must be in 0.." + (salts - 1) + ", got " + salt)
        : Optional.empty());
  }

  static void checkSaltable(ByteString key) {
    saltingRefusal(key).ifPresent(reason -> {
      throw new IllegalArgumentException(reason);
    });
  }

  static void checkSalts(int salts) {
    saltsRefusal(salts).ifPresent(reason -> {
      throw new IllegalArgumentException(reason);
    });
  }

  private static Optional<String> saltsRefusal(int salts) {
    return salts < MIN_SALTS || salts > MAX_SALTS
        ? Optional.of("salt count must be in " + MIN_SALTS + ".." + MAX_SALTS + ", got " + salts)
        : Optional.empty();
  }

  /** What a copy's key names: copy {@code salt} of {@code key}, salted {@code salts} ways. */
  public record Copy(ByteString key, int salt, int salts) {}
}
