package pando.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final long MS = 1_000_000L;
  private static final long PLENTY = Duration.ofMinutes(1).toNanos();

  private final Backoff backoff = Backoff.defaults(new Random(42));

  @Test
  void theCeilingDoublesFromTwentyMillisecondsUpToOneSecond() {
    assertThat(IntStream.range(0, 8).mapToLong(backoff::ceilingNanos).toArray())
        .containsExactly(20 * MS, 40 * MS, 80 * MS, 160 * MS, 320 * MS, 640 * MS, 1000 * MS, 1000 * MS);
  }

  @Test
  void theCeilingStaysCappedForAnyRetryNumber() {
    assertThat(backoff.ceilingNanos(63)).isEqualTo(1000 * MS);
    assertThat(backoff.ceilingNanos(Integer.MAX_VALUE)).isEqualTo(1000 * MS);
    assertThat(backoff.delayNanos(Integer.MAX_VALUE, PLENTY)).isBetween(500 * MS, 1000 * MS);
  }

  @Test
  void delaysLieInTheUpperHalfOfTheCeilingAndVary() {
    for (int retry = 0; retry < 12; retry++) {
      long ceiling = backoff.ceilingNanos(retry);
      Set<Long> seen = new HashSet<>();
      for (int i = 0; i < 200; i++) {
        long delay = backoff.delayNanos(retry, PLENTY);
        assertThat(delay).isBetween(ceiling / 2, ceiling);
        seen.add(delay);
      }
      assertThat(seen).as("jitter at retry %d", retry).hasSizeGreaterThan(1);
    }
  }

  @Test
  void theSameSeedGivesTheSameDelays() {
    Backoff a = Backoff.defaults(new Random(5));
    Backoff b = Backoff.defaults(new Random(5));
    for (int retry = 0; retry < 10; retry++) {
      assertThat(a.delayNanos(retry, PLENTY)).isEqualTo(b.delayNanos(retry, PLENTY));
    }
  }

  @Test
  void aDelayNeverReachesPastTheDeadline() {
    for (int retry = 0; retry < 12; retry++) {
      assertThat(backoff.delayNanos(retry, 3 * MS)).isBetween(0L, 3 * MS);
    }
    assertThat(backoff.delayNanos(4, 0)).isZero();
    assertThat(backoff.delayNanos(4, -5 * MS)).isZero();
  }

  @Test
  void nonsenseSettingsAreRejected() {
    Random random = new Random(1);
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), random))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), random))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> backoff.ceilingNanos(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
