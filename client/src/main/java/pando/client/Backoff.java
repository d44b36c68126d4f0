package pando.client;

import java.time.Duration;
import java.util.Random;

/**
 * How long to wait before retrying a call that learned nothing new from its last failure:
 * exponential growth from {@code initial}, doubling up to {@code max}, with jitter, and never past
 * the call's deadline.
 *
 * <p>The jitter keeps clients that failed together (a node went down under all of them) from
 * coming back in lockstep. It is "equal jitter": the delay is drawn from the upper half of the
 * current step, so the wait still grows with every retry instead of sometimes collapsing to zero.
 *
 * <p>Pure apart from the {@link Random} it is handed, so a test can seed it. Thread-safe if the
 * random source is (a {@link Random} is).
 */
final class Backoff {
  static final Duration DEFAULT_INITIAL = Duration.ofMillis(20);
  static final Duration DEFAULT_MAX = Duration.ofSeconds(1);

  private final long initialNanos;
  private final long maxNanos;
  private final Random random;

  Backoff(Duration initial, Duration max, Random random) {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 < initial <= max, got initial " + initial + ", max " + max);
    }
    this.initialNanos = initial.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  static Backoff defaults(Random random) {
    return new Backoff(DEFAULT_INITIAL, DEFAULT_MAX, random);
  }

  /**
   * The longest wait before retry number {@code retry} (0 for the first): {@code initial * 2^retry},
   * capped at {@code max}.
   */
  long ceilingNanos(int retry) {
    if (retry < 0) {
      throw new IllegalArgumentException("retry number must not be negative, got " + retry);
    }
    long ceiling = initialNanos;
    // Doubling step by step stops at the cap, so a large retry number cannot overflow.
    for (int i = 0; i < retry && ceiling < maxNanos; i++) {
      ceiling *= 2;
    }
    return Math.min(ceiling, maxNanos);
  }

  /**
   * The wait before retry number {@code retry}: between half the ceiling and the ceiling, but never
   * longer than {@code nanosLeft} (the time left until the deadline); 0 once it has passed.
   */
  long delayNanos(int retry, long nanosLeft) {
    long ceiling = ceilingNanos(retry);
    long half = ceiling / 2;
    long delay = half + random.nextLong(ceiling - half + 1);
    return Math.max(0, Math.min(delay, nanosLeft));
  }
}
