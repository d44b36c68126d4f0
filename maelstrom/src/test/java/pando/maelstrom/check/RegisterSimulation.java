package pando.maelstrom.check;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates linearizable histories by simulating a correct store: every op gets a linearization
 * point inside its [invoke, complete] interval (anywhere after the invocation, or never, for ops
 * that time out), ops are applied to real registers in that order, and the outcomes are reported
 * at the completion times.
 */
final class RegisterSimulation {
  private final Random random;
  private final int processes;
  private final int keys;
  private final int opsPerProcess;
  private final double timeoutRate;
  private long nextValue = 1;

  /** An op before it is run: its timing and, once applied, its outcome. */
  private static final class Planned {
    final int process;
    final Kind f;
    final String key;
    final long invoke;
    final long complete;
    final boolean timesOut;
    final long takesEffectAt; // Long.MAX_VALUE: never
    final int tieBreak;
    Object invokeValue;
    Event.Type outcome;
    Object completionValue;

    Planned(int process, Kind f, String key, long invoke, long complete, boolean timesOut,
        long takesEffectAt, int tieBreak) {
      this.process = process;
      this.f = f;
      this.key = key;
      this.invoke = invoke;
      this.complete = complete;
      this.timesOut = timesOut;
      this.takesEffectAt = takesEffectAt;
      this.tieBreak = tieBreak;
    }
  }

  RegisterSimulation(long seed, int processes, int keys, int opsPerProcess, double timeoutRate) {
    this.random = new Random(seed);
    this.processes = processes;
    this.keys = keys;
    this.opsPerProcess = opsPerProcess;
    this.timeoutRate = timeoutRate;
  }

  /** Written values are all distinct and positive, so a negative one was never written. */
  List<Event> run() {
    List<Planned> plan = plan();
    List<Planned> byEffect = new ArrayList<>(plan);
    byEffect.sort(Comparator.<Planned>comparingLong(p -> p.takesEffectAt)
        .thenComparingInt(p -> p.tieBreak));
    Map<String, Long> registers = new HashMap<>();
    for (Planned p : byEffect) {
      apply(p, registers);
    }
    List<Event> events = new ArrayList<>();
    for (Planned p : plan) {
      Event invoke = new Event(p.process, Event.Type.INVOKE, p.f, p.key, p.invokeValue, p.invoke);
      events.add(invoke);
      events.add(invoke.complete(p.outcome, p.completionValue, p.complete));
    }
    // A process invokes only after its previous completion, one time unit later at least.
    events.sort(Comparator.comparingLong(Event::timeNanos));
    return events;
  }

  private List<Planned> plan() {
    List<Planned> plan = new ArrayList<>();
    for (int process = 0; process < processes; process++) {
      long t = random.nextInt(100);
      for (int i = 0; i < opsPerProcess; i++) {
        int roll = random.nextInt(10);
        Kind f = roll < 5 ? Kind.READ : roll < 8 ? Kind.WRITE : Kind.CAS;
        String key = "k" + random.nextInt(keys);
        long duration = 1 + random.nextInt(300);
        boolean timesOut = random.nextDouble() < timeoutRate;
        long takesEffectAt;
        if (!timesOut) {
          takesEffectAt = t + (long) (random.nextDouble() * duration);
        } else if (random.nextBoolean()) {
          takesEffectAt = t + random.nextInt(3 * (int) duration); // possibly after the timeout
        } else {
          takesEffectAt = Long.MAX_VALUE;
        }
        plan.add(new Planned(process, f, key, t, t + duration, timesOut, takesEffectAt,
            random.nextInt()));
        t += duration + 1 + random.nextInt(50);
      }
    }
    return plan;
  }

  /** Applies one op to the registers (or not, if it never takes effect) and fixes its outcome. */
  private void apply(Planned p, Map<String, Long> registers) {
    boolean effective = p.takesEffectAt != Long.MAX_VALUE;
    Long current = registers.get(p.key);
    switch (p.f) {
      case READ -> {
        p.invokeValue = null;
        p.completionValue = p.timesOut ? null : current;
        p.outcome = p.timesOut ? Event.Type.INFO : Event.Type.OK;
      }
      case WRITE -> {
        long value = nextValue++;
        p.invokeValue = value;
        p.completionValue = value;
        p.outcome = p.timesOut ? Event.Type.INFO : Event.Type.OK;
        if (effective) {
          registers.put(p.key, value);
        }
      }
      case CAS -> {
        // The client's guess is right about two times in three, so both outcomes are common.
        long from = current != null && random.nextInt(3) > 0
            ? current : 1 + random.nextInt((int) Math.min(nextValue, Integer.MAX_VALUE));
        Event.Cas cas = new Event.Cas(from, nextValue++);
        boolean succeeds = effective && current != null && current == from;
        p.invokeValue = cas;
        p.completionValue = cas;
        p.outcome = p.timesOut ? Event.Type.INFO : succeeds ? Event.Type.OK : Event.Type.FAIL;
        if (succeeds) {
          registers.put(p.key, cas.to());
        }
      }
      default -> throw new AssertionError(p.f);
    }
  }
}
