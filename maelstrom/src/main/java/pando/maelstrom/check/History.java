package pando.maelstrom.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A validated history: its events, and the operations they form when each invocation is paired
 * with the next completion of the same process.
 *
 * <p>A process has at most one operation outstanding. An invocation that is never completed is
 * treated like one completed by {@code info}: the client crashed or the test ended before the
 * answer came, so the operation may or may not have happened.
 */
public final class History {
  private final List<Event> events;
  private final List<Op> ops;
  private final SortedMap<String, List<Op>> opsByKey;

  private History(List<Event> events, List<Op> ops) {
    this.events = events;
    this.ops = ops;
    SortedMap<String, List<Op>> byKey = new TreeMap<>();
    for (Op op : ops) {
      byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
    }
    byKey.replaceAll((k, list) -> List.copyOf(list));
    this.opsByKey = Collections.unmodifiableSortedMap(byKey);
  }

  /**
   * Pairs invocations with completions.
   *
   * @throws IllegalArgumentException naming the event (1-based position in {@code events}) and
   *     process, if a process completes an operation it did not invoke, invokes a second one while
   *     the first is outstanding, completes a different operation or key than it invoked, or
   *     completes before it invoked
   */
  public static History fromEvents(List<Event> events) {
    List<Event> copy = List.copyOf(events);
    Map<Integer, Pending> outstanding = new HashMap<>();
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < copy.size(); i++) {
      Event e = copy.get(i);
      int position = i + 1;
      if (e.type() == Event.Type.INVOKE) {
        Pending earlier = outstanding.get(e.process());
        if (earlier != null) {
          throw problem(position, e, "invoked a " + e.f().wireName() + " while its "
              + earlier.invoke.f().wireName() + " invoked at event #" + earlier.position
              + " is still outstanding");
        }
        outstanding.put(e.process(), new Pending(position, ops.size(), e));
        ops.add(null);
        continue;
      }
      Pending p = outstanding.remove(e.process());
      if (p == null) {
        throw problem(position, e, "completed a " + e.f().wireName() + " (" + e.type().wireName()
            + ") but has no outstanding invocation");
      }
      if (p.invoke.f() != e.f() || !p.invoke.key().equals(e.key())) {
        throw problem(position, e, "completed a " + e.f().wireName() + " of key " + e.key()
            + ", but its outstanding invocation (event #" + p.position + ") is a "
            + p.invoke.f().wireName() + " of key " + p.invoke.key());
      }
      if (e.timeNanos() < p.invoke.timeNanos()) {
        throw problem(position, e, "completed at " + e.timeNanos()
            + ", before its invocation (event #" + p.position + ") at " + p.invoke.timeNanos());
      }
      ops.set(p.opId, toOp(p, e));
    }
    for (Pending p : outstanding.values()) {
      ops.set(p.opId, toOp(p, null));
    }
    return new History(copy, List.copyOf(ops));
  }

  /** All events, in the order given. */
  public List<Event> events() {
    return events;
  }

  /** All operations in invocation order; {@code ops().get(i).id() == i}. */
  public List<Op> ops() {
    return ops;
  }

  /** The keys the history touches, sorted. */
  public SortedSet<String> keys() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(opsByKey.keySet()));
  }

  /** The operations on one key, in invocation order; empty if the key is never touched. */
  public List<Op> opsFor(String key) {
    return opsByKey.getOrDefault(key, List.of());
  }

  /** The events on one key, in history order. */
  public List<Event> eventsFor(String key) {
    return events.stream().filter(e -> e.key().equals(key)).toList();
  }

  private static Op toOp(Pending p, Event completion) {
    Event invoke = p.invoke;
    Outcome outcome = completion == null ? Outcome.INFO : outcome(completion.type());
    long completeNanos = outcome == Outcome.INFO ? Long.MAX_VALUE : completion.timeNanos();
    Long value;
    Long expected = null;
    switch (invoke.f()) {
      case READ -> value = outcome == Outcome.OK ? (Long) completion.value() : null;
      case WRITE -> value = (Long) invoke.value();
      case CAS -> {
        Event.Cas cas = (Event.Cas) invoke.value();
        value = cas.to();
        expected = cas.from();
      }
      default -> throw new AssertionError(invoke.f());
    }
    return new Op(p.opId, invoke.process(), invoke.f(), invoke.key(), value, expected,
        invoke.timeNanos(), completeNanos, outcome);
  }

  private static Outcome outcome(Event.Type type) {
    return switch (type) {
      case OK -> Outcome.OK;
      case FAIL -> Outcome.FAIL;
      case INFO -> Outcome.INFO;
      case INVOKE -> throw new AssertionError("an invocation is not an outcome");
    };
  }

  private static IllegalArgumentException problem(int position, Event e, String what) {
    return new IllegalArgumentException(
        "event #" + position + " (" + e + "): process " + e.process() + " " + what);
  }

  @Override
  public String toString() {
    return "History[" + events.size() + " events, " + ops.size() + " ops, " + opsByKey.size()
        + " keys]";
  }

  /** An invocation awaiting its completion. */
  private record Pending(int position, int opId, Event invoke) {}
}
