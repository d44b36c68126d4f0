package pando.pd.meta;

import java.time.Duration;
import java.util.Objects;
import pando.v1.NodeState;

/**
 * How the placement driver turns the age of a node's last heartbeat into a {@link NodeState}.
 *
 * <p>With {@code age} the milliseconds since the last heartbeat:
 *
 * <ul>
 *   <li>{@code age <= suspectAfter}: {@link NodeState#UP};
 *   <li>{@code suspectAfter < age <= downAfter}: {@link NodeState#SUSPECT};
 *   <li>{@code age > downAfter}: {@link NodeState#DOWN}.
 * </ul>
 *
 * <p>Both thresholds are inclusive on the healthier side, so a heartbeat exactly {@code
 * suspectAfter} old still counts as UP. Nodes send a heartbeat every {@code heartbeatInterval};
 * requiring {@code heartbeatInterval < suspectAfter < downAfter} means one late heartbeat cannot
 * make a node suspect, and a suspect node always passes through SUSPECT before DOWN.
 *
 * @param heartbeatInterval how often nodes send a heartbeat
 * @param suspectAfter silence after which a node is SUSPECT
 * @param downAfter silence after which a node is DOWN
 */
public record LivenessPolicy(
    Duration heartbeatInterval, Duration suspectAfter, Duration downAfter) {

  /** Heartbeat every 1 s, SUSPECT after 3 s of silence, DOWN after 10 s. */
  public static LivenessPolicy defaults() {
    return new LivenessPolicy(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(10));
  }

  /**
   * @throws IllegalArgumentException unless every duration is positive and {@code
   *     heartbeatInterval < suspectAfter < downAfter}
   */
  public LivenessPolicy {
    Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
    Objects.requireNonNull(suspectAfter, "suspectAfter");
    Objects.requireNonNull(downAfter, "downAfter");
    requirePositive("heartbeatInterval", heartbeatInterval);
    requirePositive("suspectAfter", suspectAfter);
    requirePositive("downAfter", downAfter);
    if (heartbeatInterval.compareTo(suspectAfter) >= 0) {
      throw new IllegalArgumentException(
          "suspectAfter (" + suspectAfter + ") must be longer than heartbeatInterval ("
              + heartbeatInterval + "), or every node would turn suspect between heartbeats");
    }
    if (suspectAfter.compareTo(downAfter) >= 0) {
      throw new IllegalArgumentException(
          "downAfter (" + downAfter + ") must be longer than suspectAfter (" + suspectAfter + ")");
    }
  }

  private static void requirePositive(String name, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }

  /**
   * The state of a node whose last heartbeat is {@code lastHeartbeatAgeMs} old. A negative age (a
   * heartbeat stamped after "now") counts as fresh.
   */
  public NodeState stateOf(long lastHeartbeatAgeMs) {
    if (lastHeartbeatAgeMs <= suspectAfter.toMillis()) {
      return NodeState.UP;
    }
    if (lastHeartbeatAgeMs <= downAfter.toMillis()) {
      return NodeState.SUSPECT;
    }
    return NodeState.DOWN;
  }
}
