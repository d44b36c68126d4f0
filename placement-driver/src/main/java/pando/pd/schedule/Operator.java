package pando.pd.schedule;

import java.util.Objects;
import pando.api.range.Epoch;

/**
 * One change the scheduler asks the executor to make to one range. Both kinds name the range, the
 * epoch the scheduler saw it at (so the executor can refuse an operator made stale by a split,
 * merge or membership change that happened meanwhile), a source node, a target node and why.
 *
 * <p>Guarantees: the range id is positive, no component is null, and {@code from != to}.
 */
public sealed interface Operator permits Operator.MoveReplica, Operator.TransferLeader {

  long rangeId();

  /** The range's epoch when the operator was made. */
  Epoch epoch();

  /** The node giving up a replica or the leadership. */
  String from();

  /** The node receiving a replica or the leadership. */
  String to();

  Reason reason();

  /** Why an operator was made, in the order the scheduler serves them. */
  enum Reason {
    /** The replica is on a DOWN node. */
    REPLACE_DOWN,
    /** The replica, or the leadership, is on a node being drained. */
    DRAIN,
    /** Some node holds too many replicas compared to another. */
    BALANCE_REPLICAS,
    /** Some node leads too many ranges compared to another. */
    BALANCE_LEADERS,
    /** Some node holds too many bytes compared to another. */
    BALANCE_BYTES,
    /** Some node leads more hot ranges than its share (proposed from load, not by the scheduler). */
    SPREAD_HOT_LEADERS,
  }

  /**
   * Adds a replica of the range on {@code to}, then removes the one on {@code from}. Adding first
   * means the range never has fewer replicas than before during the change.
   */
  record MoveReplica(long rangeId, Epoch epoch, String from, String to, Reason reason)
      implements Operator {
    public MoveReplica {
      check(rangeId, epoch, from, to, reason);
    }
  }

  /** Hands the leadership of the range from {@code from} to {@code to}, a replica of it. */
  record TransferLeader(long rangeId, Epoch epoch, String from, String to, Reason reason)
      implements Operator {
    public TransferLeader {
      check(rangeId, epoch, from, to, reason);
    }
  }

  private static void check(long rangeId, Epoch epoch, String from, String to, Reason reason) {
    if (rangeId < 1) {
      throw new IllegalArgumentException("range id must be positive, got " + rangeId);
    }
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(reason, "reason");
    if (from.equals(to)) {
      throw new IllegalArgumentException(
          "range " + rangeId + ": an operator needs two different nodes, got " + from + " twice");
    }
  }
}
