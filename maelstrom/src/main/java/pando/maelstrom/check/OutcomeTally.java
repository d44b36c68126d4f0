package pando.maelstrom.check;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Completed operations counted by outcome while a run goes on, for its progress lines; and, from a
 * finished history, by kind and outcome. Thread-safe.
 */
public final class OutcomeTally {
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong fail = new AtomicLong();
  private final AtomicLong info = new AtomicLong();

  /** Counts one completion of the given type (ok, fail or info). */
  public void count(Event.Type type) {
    switch (type) {
      case OK -> ok.incrementAndGet();
      case FAIL -> fail.incrementAndGet();
      default -> info.incrementAndGet();
    }
  }

  /** For example {@code ops 120: ok 100, fail 15, info 5}. */
  public String summary() {
    long o = ok.get();
    long f = fail.get();
    long i = info.get();
    return String.format(Locale.ROOT, "ops %d: ok %d, fail %d, info %d", o + f + i, o, f, i);
  }

  /** Completions of {@code events} by kind and outcome; every kind and outcome present, zero if none. */
  public static Map<Kind, Map<Event.Type, Long>> byKind(List<Event> events) {
    Map<Kind, Map<Event.Type, Long>> counts = new EnumMap<>(Kind.class);
    for (Kind k : Kind.values()) {
      Map<Event.Type, Long> m = new EnumMap<>(Event.Type.class);
      m.put(Event.Type.OK, 0L);
      m.put(Event.Type.FAIL, 0L);
      m.put(Event.Type.INFO, 0L);
      counts.put(k, m);
    }
    for (Event e : events) {
      if (e.type() != Event.Type.INVOKE) {
        counts.get(e.f()).merge(e.type(), 1L, Long::sum);
      }
    }
    return counts;
  }
}
