package pando.maelstrom.check;

import java.util.Locale;
import java.util.Objects;

/**
 * One line of a history: a client process invoking an operation, or learning how it ended.
 *
 * <p>{@code value} is a {@link Long}, {@code null} or a {@link Cas}:
 *
 * <ul>
 *   <li>read: {@code null} on invoke; on {@code ok} the value read, {@code null} if the key did
 *       not exist;
 *   <li>write: the value written (required on invoke);
 *   <li>cas: a {@link Cas} (required on invoke).
 * </ul>
 *
 * Values on {@code fail} and {@code info} completions are carried but never interpreted.
 *
 * @param timeNanos a monotonic timestamp; one operation precedes another only if it completed
 *     strictly before the other was invoked
 */
public record Event(int process, Type type, Kind f, String key, Object value, long timeNanos) {

  /** What happened at this point of the history. */
  public enum Type {
    INVOKE,
    OK,
    FAIL,
    INFO;

    /** The lower-case name used in JSON histories. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a {@link #wireName()}; throws {@link IllegalArgumentException} otherwise. */
    public static Type fromWireName(String name) {
      for (Type t : values()) {
        if (t.wireName().equals(name)) {
          return t;
        }
      }
      throw new IllegalArgumentException(
          "unknown type \"" + name + "\" (expected invoke, ok, fail or info)");
    }
  }

  /** The arguments of a compare-and-set: replace {@code from} by {@code to}. */
  public record Cas(long from, long to) {
    @Override
    public String toString() {
      return from + "->" + to;
    }
  }

  public Event {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(f, "f");
    Objects.requireNonNull(key, "key");
    if (value != null && !(value instanceof Long) && !(value instanceof Cas)) {
      throw new IllegalArgumentException(
          "value must be a Long, null or a Cas, got " + value.getClass().getSimpleName());
    }
    String problem = shapeProblem(type, f, value);
    if (problem != null) {
      throw new IllegalArgumentException(type.wireName() + " of " + f.wireName() + ": " + problem);
    }
  }

  /** Invocation of a read. */
  public static Event invokeRead(int process, String key, long timeNanos) {
    return new Event(process, Type.INVOKE, Kind.READ, key, null, timeNanos);
  }

  /** Invocation of a write of {@code value}. */
  public static Event invokeWrite(int process, String key, long value, long timeNanos) {
    return new Event(process, Type.INVOKE, Kind.WRITE, key, value, timeNanos);
  }

  /** Invocation of a compare-and-set from {@code from} to {@code to}. */
  public static Event invokeCas(int process, String key, long from, long to, long timeNanos) {
    return new Event(process, Type.INVOKE, Kind.CAS, key, new Cas(from, to), timeNanos);
  }

  /** A completion of this invocation with the given type and value. */
  public Event complete(Type outcome, Object completionValue, long completionNanos) {
    if (type != Type.INVOKE || outcome == Type.INVOKE) {
      throw new IllegalStateException("only an invoke can be completed, by ok, fail or info");
    }
    return new Event(process, outcome, f, key, completionValue, completionNanos);
  }

  /** A completion of this invocation that echoes the invoked value, as Maelstrom clients do. */
  public Event complete(Type outcome, long completionNanos) {
    return complete(outcome, value, completionNanos);
  }

  /** Returns null if the value suits the type and f, else what is wrong with it. */
  private static String shapeProblem(Type type, Kind f, Object value) {
    boolean isLong = value instanceof Long;
    boolean isCas = value instanceof Cas;
    switch (f) {
      case READ:
        if (type == Type.INVOKE && value != null) {
          return "value must be null";
        }
        return isCas ? "value must be a number or null" : null;
      case WRITE:
        if (type == Type.INVOKE && !isLong) {
          return "value must be the number written";
        }
        return isCas ? "value must be a number or null" : null;
      case CAS:
        if (type == Type.INVOKE && !isCas) {
          return "value must be [from, to]";
        }
        return isLong ? "value must be [from, to] or null" : null;
      default:
        throw new AssertionError(f);
    }
  }

  /** For example {@code p3 invoke cas k1 1->2 @120}. */
  @Override
  public String toString() {
    // A null value means something only in an ok read: the key was absent.
    boolean showValue = value != null || (type == Type.OK && f == Kind.READ);
    return "p" + process + " " + type.wireName() + " " + f.wireName() + " " + key
        + (showValue ? " " + value : "") + " @" + timeNanos;
  }
}
