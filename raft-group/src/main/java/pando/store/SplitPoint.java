package pando.store;

import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;
import pando.api.HashRange;
import pando.api.KeyHash;
import pando.internal.v1.SplitCommand;

/** Where and whether a range may be split: pure rules, the same on every replica. */
final class SplitPoint {
  private SplitPoint() {}

  /** Why the split may not happen, or empty if it may (the point itself is checked by the caller). */
  static Optional<String> refusal(long version, HashRange bounds, SplitCommand split) {
    if (split.getExpectedVersion() != version) {
      return Optional.of("range is at version " + version + ", not the expected " + split.getExpectedVersion()
          + "; refresh the range table");
    }
    if (split.getNewRangeId() < 1) {
      return Optional.of("new range id must be positive, got " + split.getNewRangeId());
    }
    return Optional.empty();
  }

  /**
   * The median of the hashes of the keys in {@code bounds}, unsigned, so that about half the keys
   * go to each side; empty if that point would leave one side without keys (fewer than two
   * distinct hashes).
   */
  static OptionalLong median(HashRange bounds, Iterable<byte[]> keys) {
    long[] hashes = new long[16];
    int n = 0;
    for (byte[] key : keys) {
      long hash = KeyHash.of(key);
      if (!bounds.contains(hash)) {
        continue;
      }
      if (n == hashes.length) {
        hashes = Arrays.copyOf(hashes, n * 2);
      }
      hashes[n++] = hash;
    }
    if (n < 2) {
      return OptionalLong.empty();
    }
    long[] sorted = Arrays.copyOf(hashes, n);
    // Unsigned order: flip the sign bit, sort signed, flip back.
    for (int i = 0; i < n; i++) {
      sorted[i] ^= Long.MIN_VALUE;
    }
    Arrays.sort(sorted);
    for (int i = 0; i < n; i++) {
      sorted[i] ^= Long.MIN_VALUE;
    }
    long median = sorted[n / 2];
    // The right half starts at the median; the left must keep at least one key.
    return median == sorted[0] ? OptionalLong.empty() : OptionalLong.of(median);
  }
}
