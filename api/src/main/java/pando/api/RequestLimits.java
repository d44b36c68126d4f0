package pando.api;

import com.google.protobuf.ByteString;
import java.util.Optional;
import pando.api.hot.SaltedKeys;

/**
 * Size limits on keys, values and batches, and the keys user requests may write, shared by the
 * client (to fail early) and the node (to refuse). A violation is described by a message a person
 * can act on.
 *
 * <p>Keys in Pando's reserved namespace ({@link SaltedKeys#isReserved}) may be read and
 * incremented, because that is how clients use the salted copies of hot keys, but not written
 * whole by Put, Delete, Cas or BatchPut: the copies are kept by the nodes, and a user's write to
 * one would break the order of versions they rely on.
 *
 * @param maxValueBytes largest value accepted by Put, Cas and BatchPut
 * @param maxBatchEntries most keys in one BatchGet or BatchPut
 * @param maxBatchBytes most key and value bytes in one BatchPut
 */
public record RequestLimits(int maxValueBytes, int maxBatchEntries, int maxBatchBytes) {
  /** Keys are 1..4096 bytes; this is part of the API, not a setting. */
  public static final int MAX_KEY_BYTES = 4096;

  public static final int DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
  public static final int DEFAULT_MAX_BATCH_ENTRIES = 1000;
  public static final int DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;

  public RequestLimits {
    if (maxValueBytes < 1 || maxValueBytes > 64 * 1024 * 1024) {
      throw new IllegalArgumentException("max value size must be in 1 B..64 MiB, got " + maxValueBytes);
    }
    if (maxBatchEntries < 1) {
      throw new IllegalArgumentException("max batch entries must be positive, got " + maxBatchEntries);
    }
    if (maxBatchBytes < maxValueBytes) {
      throw new IllegalArgumentException("max batch bytes must be at least the max value size");
    }
  }

  public static RequestLimits defaults() {
    return new RequestLimits(DEFAULT_MAX_VALUE_BYTES, DEFAULT_MAX_BATCH_ENTRIES, DEFAULT_MAX_BATCH_BYTES);
  }

  /**
   * The largest gRPC message a node must accept: a full batch plus protobuf framing. Anything
   * larger is refused by gRPC itself before it is parsed.
   */
  public int maxMessageBytes() {
    return maxBatchBytes + maxBatchEntries * 16 + 64 * 1024;
  }

  /** A key to read or increment (Get, BatchGet, Incr). */
  public Optional<String> checkKey(ByteString key) {
    if (key.isEmpty()) {
      return Optional.of("key must not be empty");
    }
    if (key.size() > MAX_KEY_BYTES) {
      return Optional.of("key is " + key.size() + " bytes; the limit is " + MAX_KEY_BYTES + " bytes");
    }
    return Optional.empty();
  }

  public Optional<String> checkValue(ByteString value) {
    if (value.size() > maxValueBytes) {
      return Optional.of(
          "value is " + value.size() + " bytes; the limit is " + maxValueBytes + " bytes");
    }
    return Optional.empty();
  }

  /** A key to write or delete (Put, Delete, Cas, BatchPut): also outside the reserved namespace. */
  public Optional<String> checkWrittenKey(ByteString key) {
    return checkKey(key).or(() -> SaltedKeys.isReserved(key)
        ? Optional.of("key starts with the bytes 00 70 6e 64, which Pando reserves for its own keys"
            + " (such as the copies of hot keys); only Get, BatchGet and Incr may use such a key,"
            + " so choose a key that does not start with them")
        : Optional.empty());
  }

  /**
   * A key to increment (Incr): a plain key, or a salted copy of a counter (which the routing client
   * increments for a write-hot counter); any other key of the reserved namespace is refused.
   */
  public Optional<String> checkIncrementedKey(ByteString key) {
    return checkKey(key).or(() -> SaltedKeys.isReserved(key) && SaltedKeys.parse(key).isEmpty()
        ? Optional.of("key starts with the bytes 00 70 6e 64, which Pando reserves for its own keys,"
            + " and is not a salted copy of a counter; choose a key that does not start with them")
        : Optional.empty());
  }

  /** A key and the value to write to it (Put, Cas, BatchPut); see {@link #checkWrittenKey}. */
  public Optional<String> checkKeyAndValue(ByteString key, ByteString value) {
    return checkWrittenKey(key).or(() -> checkValue(value));
  }

  public Optional<String> checkBatchSize(int entries) {
    if (entries == 0) {
      return Optional.of("batch must hold at least one key");
    }
    if (entries > maxBatchEntries) {
      return Optional.of(
          "batch holds " + entries + " keys; the limit is " + maxBatchEntries + " keys");
    }
    return Optional.empty();
  }
}
