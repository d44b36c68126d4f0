package pando.maelstrom.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;
import pando.maelstrom.check.Event;
import pando.maelstrom.check.History;

/**
 * The shared history of a run: every client appends its invocations and completions here, stamped
 * from one monotonic clock (nanoseconds since the recorder was created).
 *
 * <p>Each event is stamped and appended under one lock, so the list is in time order and an
 * operation that completed before another was invoked is recorded, and stamped, before it.
 * Bounded: invocations beyond {@code maxOps} are refused; completions are always taken, as there
 * is at most one per invocation.
 */
public final class HistoryRecorder {
  private final long originNanos = System.nanoTime();
  private final int maxOps;
  private final List<Event> events = new ArrayList<>();
  private int invocations;

  public HistoryRecorder(int maxOps) {
    if (maxOps < 1) {
      throw new IllegalArgumentException("maxOps must be positive: " + maxOps);
    }
    this.maxOps = maxOps;
  }

  /** Nanoseconds since the recorder was created, from the clock events are stamped with. */
  public long nanoTime() {
    return System.nanoTime() - originNanos;
  }

  /**
   * Records an invocation made by {@code make} from the current time, for example {@code t ->
   * Event.invokeRead(p, "1", t)}.
   *
   * @throws IllegalStateException if {@code maxOps} invocations have been recorded
   */
  public synchronized Event invoke(LongFunction<Event> make) {
    if (invocations >= maxOps) {
      throw new IllegalStateException("history is full: " + maxOps + " operations");
    }
    Event e = make.apply(nanoTime());
    if (e.type() != Event.Type.INVOKE) {
      throw new IllegalArgumentException("not an invocation: " + e);
    }
    invocations++;
    events.add(e);
    return e;
  }

  /** Records the completion of {@code invoke} at the current time. */
  public synchronized Event complete(Event invoke, Event.Type type, Object value) {
    Event e = Objects.requireNonNull(invoke, "invoke").complete(type, value, nanoTime());
    events.add(e);
    return e;
  }

  /** A copy of the events so far. */
  public synchronized List<Event> events() {
    return List.copyOf(events);
  }

  /** The events so far as a checked {@link History}. */
  public History history() {
    return History.fromEvents(events());
  }
}
