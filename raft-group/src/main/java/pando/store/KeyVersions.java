package pando.store;

import java.util.Optional;

/**
 * Versions of keys: {@code (range epoch version << 40) | Raft log index}. A write's {@code
 * key_version} is built from the index of its command, a read's {@code as_of_version} from the
 * applied index of the state it read, both with the epoch version of the range that served them.
 *
 * <p>Why this grows with every write of a key, even across splits: within one range the epoch
 * version stays put and the log index grows with every command. A split is applied at some index
 * {@code s} of the range at version {@code v}, and both halves continue at version {@code v + 1}:
 * the left half keeps its group, so its later indexes are above {@code s} anyway; the right half
 * is a new group whose log index starts again from 0, but every version it gives starts with
 * {@code v + 1} in the high bits and is therefore above every {@code (v << 40) | i} the parent
 * gave. A key lives in one range at a time, and every range it moves to has a higher epoch
 * version than the last, so its versions only grow. That holds as long as the index fits in 40
 * bits, so an index that does not is refused rather than allowed to spill into the epoch bits.
 */
public final class KeyVersions {
  static final int INDEX_BITS = 40;
  /** The highest log index a version can carry: about 1.1 * 10^12 commands per Raft group. */
  public static final long MAX_INDEX = (1L << INDEX_BITS) - 1;
  /** The highest epoch version a version can carry (the rest of the 64 bits). */
  public static final long MAX_EPOCH_VERSION = (1L << (Long.SIZE - INDEX_BITS)) - 1;

  private KeyVersions() {}

  /** Why no version can be made of this epoch version and index, or empty if one can. */
  public static Optional<String> refusal(long epochVersion, long index) {
    if (index < 0 || index > MAX_INDEX) {
      return Optional.of("log index " + index + " does not fit the " + INDEX_BITS
          + " bits a key version gives it; this range's group can no longer number its writes");
    }
    if (epochVersion < 1 || epochVersion > MAX_EPOCH_VERSION) {
      return Optional.of("epoch version " + epochVersion + " is outside 1.." + MAX_EPOCH_VERSION
          + ", the versions a key version can carry");
    }
    return Optional.empty();
  }

  /**
   * The version of {@code index} in a range at {@code epochVersion}.
   *
   * @throws IllegalStateException if either does not fit (see {@link #refusal}); never wraps
   */
  public static long of(long epochVersion, long index) {
    refusal(epochVersion, index).ifPresent(reason -> {
      throw new IllegalStateException(reason);
    });
    return (epochVersion << INDEX_BITS) | index;
  }
}
