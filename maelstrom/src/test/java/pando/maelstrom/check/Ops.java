package pando.maelstrom.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Hand-written histories for tests: each op is given by its process, arguments, outcome and
 * [invoke, complete] interval, and {@link #history} turns them into events.
 */
final class Ops {
  private Ops() {}

  /** One op of a hand-written history. {@code end} is the timeout instant for info ops. */
  record Spec(Event invoke, Event.Type outcome, Object completionValue, long end) {
    /** The same op, ended by {@code fail}. */
    Spec failed() {
      return new Spec(invoke, Event.Type.FAIL, invoke.value(), end);
    }

    /** The same op, ended by {@code info} (timed out) at {@code end}. */
    Spec timedOut() {
      return new Spec(invoke, Event.Type.INFO, invoke.value(), end);
    }

    /** The same op on another key. */
    Spec on(String key) {
      Event moved = new Event(invoke.process(), invoke.type(), invoke.f(), key, invoke.value(),
          invoke.timeNanos());
      return new Spec(moved, outcome, completionValue, end);
    }

    Event completion() {
      return invoke.complete(outcome, completionValue, end);
    }
  }

  static Spec write(int process, long value, long start, long end) {
    return new Spec(Event.invokeWrite(process, "x", value, start), Event.Type.OK, value, end);
  }

  /** A read of key x that returned {@code value} ({@code null}: absent). */
  static Spec read(int process, Long value, long start, long end) {
    return new Spec(Event.invokeRead(process, "x", start), Event.Type.OK, value, end);
  }

  static Spec cas(int process, long from, long to, long start, long end) {
    Event invoke = Event.invokeCas(process, "x", from, to, start);
    return new Spec(invoke, Event.Type.OK, invoke.value(), end);
  }

  /** All specs as events in time order; at equal times completions go first. */
  static List<Event> events(Spec... specs) {
    List<Event> events = new ArrayList<>();
    for (Spec s : specs) {
      events.add(s.invoke());
      events.add(s.completion());
    }
    events.sort(Comparator.comparingLong(Event::timeNanos)
        .thenComparing(e -> e.type() == Event.Type.INVOKE));
    return events;
  }

  static History history(Spec... specs) {
    return History.fromEvents(events(specs));
  }
}
