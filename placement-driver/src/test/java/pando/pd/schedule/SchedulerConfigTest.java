package pando.pd.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SchedulerConfigTest {

  @Test
  void defaultsAreThreeReplicasTwoMovesToleranceOneTenSecondsAndEightOperators() {
    assertEquals(
        new SchedulerConfig(3, 2, 1, 1, Duration.ofSeconds(10), 8), SchedulerConfig.defaults());
  }

  @Test
  void withersChangeOneValue() {
    SchedulerConfig defaults = SchedulerConfig.defaults();
    assertEquals(
        new SchedulerConfig(3, 5, 1, 1, Duration.ofSeconds(10), 8),
        defaults.withMaxMovesPerNode(5));
    assertEquals(
        new SchedulerConfig(3, 2, 1, 1, Duration.ofSeconds(10), 3),
        defaults.withMaxOperatorsPerRound(3));
  }

  static Stream<Arguments> nonsense() {
    return Stream.of(
        Arguments.of(0, 2, 1, 1, 10_000, 8, "replication must be at least 1, got 0"),
        Arguments.of(3, 0, 1, 1, 10_000, 8, "maxMovesPerNode must be at least 1, got 0"),
        Arguments.of(3, -1, 1, 1, 10_000, 8, "maxMovesPerNode must be at least 1, got -1"),
        Arguments.of(3, 2, 0, 1, 10_000, 8, "replicaTolerance must be at least 1, got 0"),
        Arguments.of(3, 2, 1, 0, 10_000, 8, "leaderTolerance must be at least 1, got 0"),
        Arguments.of(3, 2, 1, 1, -1, 8, "rangeCooldown must be zero or positive, got PT-0.001S"),
        Arguments.of(3, 2, 1, 1, 10_000, 0, "maxOperatorsPerRound must be at least 1, got 0"));
  }

  @ParameterizedTest(name = "{6}")
  @MethodSource("nonsense")
  void rejectsNonsenseWithAMessageNamingTheValue(
      int replication,
      int maxMoves,
      int replicaTolerance,
      int leaderTolerance,
      long cooldownMs,
      int maxOperators,
      String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new SchedulerConfig(
                    replication,
                    maxMoves,
                    replicaTolerance,
                    leaderTolerance,
                    Duration.ofMillis(cooldownMs),
                    maxOperators));
    assertEquals(message, e.getMessage());
  }

  @Test
  void rejectsAMissingCooldown() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> new SchedulerConfig(3, 2, 1, 1, null, 8));
    assertTrue(e.getMessage().contains("rangeCooldown"), e.getMessage());
  }
}
