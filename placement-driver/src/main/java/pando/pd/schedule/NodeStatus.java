package pando.pd.schedule;

import java.util.Objects;
import pando.v1.NodeState;

/**
 * What the scheduler knows about one node: its liveness and whether an operator asked for it to be
 * drained (emptied of replicas and leaderships before it is removed).
 *
 * <p>Guarantees: the id is not blank and the state is UP, SUSPECT or DOWN.
 */
public record NodeStatus(String id, NodeState state, boolean draining) {
  public NodeStatus {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(state, "state");
    if (id.isBlank()) {
      throw new IllegalArgumentException("node id must not be blank");
    }
    if (state != NodeState.UP && state != NodeState.SUSPECT && state != NodeState.DOWN) {
      throw new IllegalArgumentException(
          "node " + id + ": state must be UP, SUSPECT or DOWN, got " + state);
    }
  }

  /** An UP node that is not being drained. */
  public static NodeStatus up(String id) {
    return new NodeStatus(id, NodeState.UP, false);
  }

  public boolean isUp() {
    return state == NodeState.UP;
  }

  public boolean isDown() {
    return state == NodeState.DOWN;
  }

  /** True if the node may receive replicas and leaderships: UP and not being drained. */
  public boolean acceptsWork() {
    return isUp() && !draining;
  }
}
