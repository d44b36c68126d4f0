package pando.pd.hot;

import com.google.protobuf.ByteString;
import java.util.Objects;

/**
 * One key of a range's load sketch, as a node reports it for one window: a Space-Saving counter.
 *
 * @param key the key, or only its first bytes when {@code truncated}
 * @param truncated true if the sketch kept only a prefix of a long key; such a key cannot be salted
 *     automatically, because the PD does not know it in full
 * @param keyHash {@code KeyHash} of the whole key, so it can be placed in the hash space
 * @param count an upper bound of the key's operations in the window
 * @param error how much {@code count} may overstate: at least {@code count - error} happened
 * @param reads reads counted exactly since the sketch admitted the key
 * @param writes Put, Delete and Cas counted likewise
 * @param increments Incr counted likewise; {@code reads + writes + increments == count - error}
 */
public record KeySample(
    ByteString key, boolean truncated, long keyHash, long count, long error, long reads,
    long writes, long increments) {
  public KeySample {
    Objects.requireNonNull(key, "key");
    if (error < 0 || error > count || reads < 0 || writes < 0 || increments < 0) {
      throw new IllegalArgumentException(
          "a key sample needs 0 <= error <= count and no negative part, got count=" + count
              + " error=" + error + " reads=" + reads + " writes=" + writes
              + " increments=" + increments);
    }
    if (reads + writes + increments != count - error) {
      throw new IllegalArgumentException(
          "reads + writes + increments must be count - error, got " + reads + " + " + writes
              + " + " + increments + " != " + (count - error));
    }
  }

  /** A lower bound of the key's operations in the window. */
  public long guaranteed() {
    return count - error;
  }
}
