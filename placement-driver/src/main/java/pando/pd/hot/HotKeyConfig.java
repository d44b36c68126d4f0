package pando.pd.hot;

import java.time.Duration;
import java.util.Objects;
import pando.api.hot.HotKeyTable;
import pando.api.hot.SaltedKeys;

/**
 * The hot-key detector's knobs, with their defaults in {@link #defaults()}.
 *
 * @param hotKeyOpsPerSecMin a key is hot while at least this many of its operations per second are
 *     certain (the sketch's lower bound); positive
 * @param window a key must stay hot this long, at every observation, before it is salted; a burst
 *     shorter than that is not worth moving data for
 * @param coolOpsPerSec a detected key is cool while at most this many operations per second are
 *     possible (the upper bound); below {@code hotKeyOpsPerSecMin}, so a key near the threshold is
 *     not salted and unsalted in turn
 * @param coolWindow a key must stay cool this long before it is unsalted; longer than {@code
 *     window}, because unsalting and salting again costs two data moves
 * @param perCopyOpsPerSecTarget salts are chosen so each copy serves about this many operations
 *     per second: {@code ceil(rate / target)}, clamped to 2..maxSalts
 * @param maxSalts the most copies a detected key gets, 2..64
 * @param maxHotKeys the most DETECTED entries in the table (pinned ones are the operator's to
 *     bound), 1..{@link HotKeyTable#MAX_ENTRIES}
 * @param readShareMin a key is salted READ_HOT only if at least this share of its operations are
 *     reads, in (0, 1]: each write to it costs 1 + salts writes
 * @param counterShareMin a key is salted WRITE_HOT_COUNTER only if at least this share of its
 *     operations are increments, in (0, 1]: each read of it costs 1 + salts reads
 */
public record HotKeyConfig(
    double hotKeyOpsPerSecMin,
    Duration window,
    double coolOpsPerSec,
    Duration coolWindow,
    double perCopyOpsPerSecTarget,
    int maxSalts,
    int maxHotKeys,
    double readShareMin,
    double counterShareMin) {

  /**
   * Hot at 5,000 certain ops/s for 30 s; cool below 1,000 possible ops/s for 5 min; 2,000 ops/s per
   * copy, at most 16 copies and 64 detected keys; 90 % reads for READ_HOT, 90 % increments for a
   * counter.
   */
  public static HotKeyConfig defaults() {
    return new HotKeyConfig(
        5_000, Duration.ofSeconds(30), 1_000, Duration.ofMinutes(5), 2_000, 16, 64, 0.9, 0.9);
  }

  /** @throws IllegalArgumentException if a value is outside the range documented on the record */
  public HotKeyConfig {
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(coolWindow, "coolWindow");
    requirePositive("hotKeyOpsPerSecMin", hotKeyOpsPerSecMin);
    requirePositive("coolOpsPerSec", coolOpsPerSec);
    requirePositive("perCopyOpsPerSecTarget", perCopyOpsPerSecTarget);
    if (!(coolOpsPerSec < hotKeyOpsPerSecMin)) {
      throw new IllegalArgumentException(
          "coolOpsPerSec (" + coolOpsPerSec + ") must be below hotKeyOpsPerSecMin ("
              + hotKeyOpsPerSecMin + "), or keys near the threshold would flap");
    }
    if (window.isNegative() || coolWindow.isNegative()) {
      throw new IllegalArgumentException("windows must not be negative");
    }
    if (maxSalts < SaltedKeys.MIN_SALTS || maxSalts > SaltedKeys.MAX_SALTS) {
      throw new IllegalArgumentException(
          "maxSalts must be in " + SaltedKeys.MIN_SALTS + ".." + SaltedKeys.MAX_SALTS + ", got "
              + maxSalts);
    }
    if (maxHotKeys < 1 || maxHotKeys > HotKeyTable.MAX_ENTRIES) {
      throw new IllegalArgumentException(
          "maxHotKeys must be in 1.." + HotKeyTable.MAX_ENTRIES + ", got " + maxHotKeys);
    }
    requireShare("readShareMin", readShareMin);
    requireShare("counterShareMin", counterShareMin);
  }

  private static void requirePositive(String name, double value) {
    if (!(value > 0 && Double.isFinite(value))) {
      throw new IllegalArgumentException(name + " must be positive and finite, got " + value);
    }
  }

  private static void requireShare(String name, double value) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be in (0, 1], got " + value);
    }
  }
}
