package pando.pd.hot;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.List;
import pando.api.HashRange;
import pando.api.KeyHash;

/** Builders of load reports for tests: one-second windows, so counts are per-second rates. */
final class Loads {
  static final Duration SECOND = Duration.ofSeconds(1);

  private Loads() {}

  static ByteString key(String s) {
    return ByteString.copyFromUtf8(s);
  }

  /** An exact sample (error 0) of a key. */
  static KeySample sample(ByteString key, long reads, long writes, long increments) {
    return new KeySample(key, false, KeyHash.of(key.toByteArray()), reads + writes + increments,
        0, reads, writes, increments);
  }

  /** A sample of a key at a chosen hash, for split tests. */
  static KeySample atHash(long hash, long certain, long error) {
    return new KeySample(key("h" + hash), false, hash, certain + error, error, certain, 0, 0);
  }

  /** A report over the full hash space whose sketch counted the samples and {@code others} more. */
  static RangeLoad report(long rangeId, long unseenMax, long others, KeySample... samples) {
    return report(rangeId, HashRange.full(), unseenMax, others, samples);
  }

  static RangeLoad report(
      long rangeId, HashRange bounds, long unseenMax, long others, KeySample... samples) {
    long total = others;
    for (KeySample sample : samples) {
      total += sample.count();
    }
    return new RangeLoad(rangeId, bounds, SECOND, total, 0, total, unseenMax, List.of(samples));
  }
}
