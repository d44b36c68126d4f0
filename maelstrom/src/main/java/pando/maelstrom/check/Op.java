package pando.maelstrom.check;

import java.util.Locale;
import java.util.Objects;

/**
 * An operation: an invocation paired with its completion.
 *
 * @param id position of the op in {@link History#ops()}, unique within its history
 * @param value read: the value read ({@code null}: key absent); write: the value written; cas: the
 *     new value
 * @param expected cas: the value it replaces; {@code null} for reads and writes
 * @param completeNanos {@link Long#MAX_VALUE} when the outcome is {@link Outcome#INFO}, because
 *     such an op may take effect at any later time
 */
public record Op(
    int id,
    int process,
    Kind f,
    String key,
    Long value,
    Long expected,
    long invokeNanos,
    long completeNanos,
    Outcome outcome) {

  public Op {
    Objects.requireNonNull(f, "f");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(outcome, "outcome");
    if (completeNanos < invokeNanos) {
      throw new IllegalArgumentException("op completes before it is invoked: " + invokeNanos
          + " > " + completeNanos);
    }
    if (outcome == Outcome.INFO && completeNanos != Long.MAX_VALUE) {
      throw new IllegalArgumentException("an info op has no completion time");
    }
    if ((f == Kind.CAS) != (expected != null)) {
      throw new IllegalArgumentException("exactly the cas ops carry an expected value");
    }
    if (f != Kind.READ && value == null) {
      throw new IllegalArgumentException(f.wireName() + " needs a value");
    }
  }

  /** True if this op may have changed the register and so must be considered by a check. */
  boolean matters() {
    return switch (outcome) {
      case OK -> true;
      case FAIL -> false;
      case INFO -> f != Kind.READ;
    };
  }

  /** For example {@code p3 cas k1 1->2 ok [120, 450]}. */
  @Override
  public String toString() {
    String what =
        switch (f) {
          case READ -> "read " + key + (outcome == Outcome.OK ? " -> " + value : "");
          case WRITE -> "write " + key + " " + value;
          case CAS -> "cas " + key + " " + expected + "->" + value;
        };
    String end = completeNanos == Long.MAX_VALUE ? "?" : Long.toString(completeNanos);
    return "p" + process + " " + what + " " + outcome.name().toLowerCase(Locale.ROOT) + " ["
        + invokeNanos + ", " + end + "]";
  }
}
