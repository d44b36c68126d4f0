package pando.pd.hot;

import java.time.Duration;
import java.util.Objects;

/**
 * The hot-range detector's knobs, with their defaults in {@link #defaults()}.
 *
 * @param splitOpsPerSecMin a range is hot while its reads plus writes per second are at least this;
 *     positive
 * @param window a range must stay hot this long, at every observation, before it is split
 * @param maxSplitsPerRound the most splits one call proposes, hottest first; at least 1. Splits
 *     are proposed one range at a time anyway, and each one changes the load picture
 */
public record HotRangeConfig(double splitOpsPerSecMin, Duration window, int maxSplitsPerRound) {

  /** Hot at 20,000 ops/s for 60 s; one split per round. */
  public static HotRangeConfig defaults() {
    return new HotRangeConfig(20_000, Duration.ofSeconds(60), 1);
  }

  /** @throws IllegalArgumentException if a value is outside the range documented on the record */
  public HotRangeConfig {
    Objects.requireNonNull(window, "window");
    if (!(splitOpsPerSecMin > 0 && Double.isFinite(splitOpsPerSecMin))) {
      throw new IllegalArgumentException(
          "splitOpsPerSecMin must be positive and finite, got " + splitOpsPerSecMin);
    }
    if (window.isNegative()) {
      throw new IllegalArgumentException("window must not be negative, got " + window);
    }
    if (maxSplitsPerRound < 1) {
      throw new IllegalArgumentException(
          "maxSplitsPerRound must be at least 1, got " + maxSplitsPerRound);
    }
  }
}
