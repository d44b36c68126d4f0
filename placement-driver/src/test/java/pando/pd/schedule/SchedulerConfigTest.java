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

  private static final long MIB = 1L << 20;

  @Test
  void defaultsAreThreeReplicasTwoMovesToleranceOneTenSecondsEightOperatorsAndOneLeaderTransferAtOnce() {
    assertEquals(
        new SchedulerConfig(3, 2, 1, 1, Duration.ofSeconds(10), 8, 0.25, 64 * MIB, 1),
        SchedulerConfig.defaults());
  }

  @Test
  void theSixValueConstructorBalancesBytesByTheDefaults() {
    // The CLI builds its configuration this way.
    SchedulerConfig config = new SchedulerConfig(5, 4, 2, 3, Duration.ZERO, 16);

    assertEquals(0.25, config.bytesTolerance());
    assertEquals(64 * MIB, config.minBytesGap());
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
    assertEquals(
        new SchedulerConfig(3, 2, 1, 1, Duration.ofSeconds(10), 8, 0.5, 64 * MIB, 1),
        defaults.withBytesTolerance(0.5));
    assertEquals(
        new SchedulerConfig(3, 2, 1, 1, Duration.ofSeconds(10), 8, 0.25, 0, 1),
        defaults.withMinBytesGap(0));
    SchedulerConfig bytesChanged = defaults.withBytesTolerance(0.5).withMinBytesGap(MIB);
    assertEquals(
        new SchedulerConfig(3, 7, 1, 1, Duration.ofSeconds(10), 8, 0.5, MIB, 1),
        bytesChanged.withMaxMovesPerNode(7));
    assertEquals(
        new SchedulerConfig(3, 2, 1, 1, Duration.ofSeconds(10), 7, 0.5, MIB, 1),
        bytesChanged.withMaxOperatorsPerRound(7));
    assertEquals(
        new SchedulerConfig(3, 2, 1, 1, Duration.ofSeconds(10), 8, 0.25, 64 * MIB, 4),
        defaults.withLeaderTransfersAtOnce(4));
    assertThrows(IllegalArgumentException.class, () -> defaults.withLeaderTransfersAtOnce(0));
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

  static Stream<Arguments> nonsenseBytes() {
    return Stream.of(
        Arguments.of(0.0, 0L, "bytesTolerance must be positive and finite, got 0.0"),
        Arguments.of(-0.25, 0L, "bytesTolerance must be positive and finite, got -0.25"),
        Arguments.of(Double.NaN, 0L, "bytesTolerance must be positive and finite, got NaN"),
        Arguments.of(
            Double.POSITIVE_INFINITY, 0L,
            "bytesTolerance must be positive and finite, got Infinity"),
        Arguments.of(0.25, -1L, "minBytesGap must be zero or positive, got -1"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("nonsenseBytes")
  void rejectsNonsenseByteBalancingWithAMessageNamingTheValue(
      double bytesTolerance, long minBytesGap, String message) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new SchedulerConfig(
                    3, 2, 1, 1, Duration.ofSeconds(10), 8, bytesTolerance, minBytesGap, 1));
    assertEquals(message, e.getMessage());
  }

  @Test
  void acceptsTheSmallestByteBalancingValuesAndTurningItOff() {
    SchedulerConfig defaults = SchedulerConfig.defaults();
    assertEquals(Double.MIN_VALUE, defaults.withBytesTolerance(Double.MIN_VALUE).bytesTolerance());
    assertEquals(0, defaults.withMinBytesGap(0).minBytesGap());
    assertEquals(Long.MAX_VALUE, defaults.withMinBytesGap(Long.MAX_VALUE).minBytesGap());
  }

  @Test
  void rejectsAMissingCooldown() {
    NullPointerException e =
        assertThrows(NullPointerException.class, () -> new SchedulerConfig(3, 2, 1, 1, null, 8));
    assertTrue(e.getMessage().contains("rangeCooldown"), e.getMessage());
  }
}
