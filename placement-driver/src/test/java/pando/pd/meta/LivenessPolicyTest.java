package pando.pd.meta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import pando.v1.NodeState;

class LivenessPolicyTest {

  @Test
  void defaultsAreOneThreeAndTenSeconds() {
    assertThat(LivenessPolicy.defaults())
        .isEqualTo(
            new LivenessPolicy(
                Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(10)));
  }

  @ParameterizedTest(name = "age {0} ms is {1}")
  @CsvSource({
    "-5,                  UP",
    "0,                   UP",
    "2999,                UP",
    "3000,                UP",
    "3001,                SUSPECT",
    "9999,                SUSPECT",
    "10000,               SUSPECT",
    "10001,               DOWN",
    "9223372036854775807, DOWN",
  })
  void defaultThresholdsAreInclusiveOnTheHealthierSide(long ageMs, NodeState expected) {
    assertThat(LivenessPolicy.defaults().stateOf(ageMs)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "age {0} ms is {1}")
  @CsvSource({
    "0,   UP",
    "250, UP",
    "251, SUSPECT",
    "400, SUSPECT",
    "401, DOWN",
  })
  void customThresholdsAreUsed(long ageMs, NodeState expected) {
    LivenessPolicy policy =
        new LivenessPolicy(Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(400));
    assertThat(policy.stateOf(ageMs)).isEqualTo(expected);
  }

  static Stream<Arguments> invalidPolicies() {
    return Stream.of(
        Arguments.of("zero interval", 0, 3_000, 10_000, "heartbeatInterval must be positive"),
        Arguments.of("negative interval", -1, 3_000, 10_000, "heartbeatInterval must be positive"),
        Arguments.of("zero suspect", 1_000, 0, 10_000, "suspectAfter must be positive"),
        Arguments.of("zero down", 1_000, 3_000, 0, "downAfter must be positive"),
        Arguments.of("suspect = interval", 1_000, 1_000, 10_000, "longer than heartbeatInterval"),
        Arguments.of("suspect < interval", 2_000, 1_000, 10_000, "longer than heartbeatInterval"),
        Arguments.of("down = suspect", 1_000, 3_000, 3_000, "longer than suspectAfter"),
        Arguments.of("down < suspect", 1_000, 3_000, 2_000, "longer than suspectAfter"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPolicies")
  void rejectsThresholdsOutOfOrder(
      String name, long intervalMs, long suspectMs, long downMs, String message) {
    assertThatThrownBy(
            () ->
                new LivenessPolicy(
                    Duration.ofMillis(intervalMs),
                    Duration.ofMillis(suspectMs),
                    Duration.ofMillis(downMs)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void rejectsMissingDurations() {
    assertThatThrownBy(() -> new LivenessPolicy(null, Duration.ofSeconds(3), Duration.ofSeconds(9)))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("heartbeatInterval");
  }
}
