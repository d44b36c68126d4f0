package pando.maelstrom.harness;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * A replayable plan of faults for one run, derived only from a seed, the node ids and the run
 * length: partitions of several shapes, message delays, paused nodes and killed nodes.
 *
 * <p>Faults are sequential, never overlapping: a quiet gap, a fault, a gap, and so on. Each fault
 * is undone (heal, clear delay, resume, restart) before the next starts, and the last is undone at
 * least {@link Options#quietTail()} before the run ends, so that the cluster can recover and
 * outstanding operations can finish. One fault at a time keeps a failing run explainable; the
 * shapes themselves (bridge, majority/minority) provide the overlapping views of the cluster.
 *
 * <p>Pure: no clock, no threads. Whoever runs the test calls {@link Fault#begin} and {@link
 * Fault#end} on a {@link Target} at the times given (see {@link #steps()}).
 */
public final class FaultSchedule {
  /** Safety bound on the number of faults, whatever the options say. */
  static final int MAX_FAULTS = 10_000;

  /** What the faults act on; implemented by the test runner with a network and processes. */
  public interface Target {
    /** Cut the links between the two sides (see {@link Network#partition}). */
    void partition(Set<String> sideA, Set<String> sideB) throws Exception;

    void heal() throws Exception;

    void delay(Duration min, Duration max) throws Exception;

    void clearDelay() throws Exception;

    void pause(String node) throws Exception;

    void resume(String node) throws Exception;

    void kill(String node) throws Exception;

    /** Start a killed node again (and send it {@code init}). */
    void restart(String node) throws Exception;
  }

  /** The kinds of fault a schedule may contain. */
  public enum Kind {
    /** Two halves of (nearly) equal size; with an even count, neither has a majority. */
    PARTITION_HALVES,
    /** A random minority (at least one node) cut off from the majority. */
    PARTITION_MAJORITY_MINORITY,
    /** Two halves with one node that still sees both: each half thinks it can reach a majority. */
    PARTITION_BRIDGE,
    /** One node cut off from all others. */
    ISOLATE,
    /** Every message delayed by a random time. */
    DELAY,
    /** One node stopped with SIGSTOP, then resumed. */
    PAUSE,
    /** One node killed with SIGKILL, then restarted. */
    KILL;

    /** Whether this kind makes sense for a cluster of {@code n} nodes. */
    boolean applies(int n) {
      return switch (this) {
        case PARTITION_HALVES, ISOLATE -> n >= 2;
        case PARTITION_MAJORITY_MINORITY, PARTITION_BRIDGE -> n >= 3;
        case DELAY -> true;
        case PAUSE, KILL -> n >= 1;
      };
    }

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** What a fault does while it lasts. */
  public sealed interface Disruption permits Partition, Delay, Pause, Kill {
    void begin(Target target) throws Exception;

    void end(Target target) throws Exception;
  }

  /** Links between {@code sideA} and {@code sideB} cut; undone by heal. */
  public record Partition(Kind kind, List<String> sideA, List<String> sideB) implements Disruption {
    public Partition {
      if (kind == Kind.DELAY || kind == Kind.PAUSE || kind == Kind.KILL) {
        throw new IllegalArgumentException(kind + " is not a partition");
      }
      sideA = List.copyOf(sideA);
      sideB = List.copyOf(sideB);
    }

    @Override
    public void begin(Target t) throws Exception {
      t.partition(Set.copyOf(sideA), Set.copyOf(sideB));
    }

    @Override
    public void end(Target t) throws Exception {
      t.heal();
    }

    @Override
    public String toString() {
      return kind.label() + " " + sideA + " | " + sideB;
    }
  }

  /** All messages delayed by {@code [min, max]}; undone by clearing the delay. */
  public record Delay(Duration min, Duration max) implements Disruption {
    @Override
    public void begin(Target t) throws Exception {
      t.delay(min, max);
    }

    @Override
    public void end(Target t) throws Exception {
      t.clearDelay();
    }

    @Override
    public String toString() {
      return "delay " + min.toMillis() + ".." + max.toMillis() + " ms";
    }
  }

  /** A node paused; undone by resuming it. */
  public record Pause(String node) implements Disruption {
    @Override
    public void begin(Target t) throws Exception {
      t.pause(node);
    }

    @Override
    public void end(Target t) throws Exception {
      t.resume(node);
    }

    @Override
    public String toString() {
      return "pause " + node;
    }
  }

  /** A node killed; undone by restarting it. */
  public record Kill(String node) implements Disruption {
    @Override
    public void begin(Target t) throws Exception {
      t.kill(node);
    }

    @Override
    public void end(Target t) throws Exception {
      t.restart(node);
    }

    @Override
    public String toString() {
      return "kill " + node + ", then restart";
    }
  }

  /** A disruption from {@code start} to {@code end}, both measured from the start of the run. */
  public record Fault(Duration start, Duration end, Disruption disruption) {
    public Fault {
      if (start.isNegative() || end.compareTo(start) <= 0) {
        throw new IllegalArgumentException("need 0 <= start < end: " + start + ", " + end);
      }
      Objects.requireNonNull(disruption, "disruption");
    }

    public void begin(Target t) throws Exception {
      disruption.begin(t);
    }

    public void end(Target t) throws Exception {
      disruption.end(t);
    }

    @Override
    public String toString() {
      return "+" + seconds(start) + " .. +" + seconds(end) + "  " + disruption;
    }
  }

  /** One thing to do at time {@code at}: begin or end {@code fault}. */
  public record Step(Duration at, Fault fault, boolean begin) {
    public void apply(Target t) throws Exception {
      if (begin) {
        fault.begin(t);
      } else {
        fault.end(t);
      }
    }

    @Override
    public String toString() {
      return "+" + seconds(at) + " " + (begin ? "begin " : "end ") + fault.disruption();
    }
  }

  /**
   * Tuning; all times are drawn uniformly, to the millisecond.
   *
   * @param minGap shortest quiet time before each fault
   * @param maxGap longest quiet time before each fault
   * @param minFault shortest fault
   * @param maxFault longest fault
   * @param quietTail time at the end of the run with no fault
   * @param maxDelay upper bound for {@link Kind#DELAY} faults
   * @param kinds the kinds to choose from (those that do not fit the cluster size are skipped)
   */
  public record Options(Duration minGap, Duration maxGap, Duration minFault, Duration maxFault,
      Duration quietTail, Duration maxDelay, Set<Kind> kinds) {
    public Options {
      kinds = kinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(kinds));
      if (minGap.isNegative() || maxGap.compareTo(minGap) < 0) {
        throw new IllegalArgumentException("need 0 <= minGap <= maxGap");
      }
      if (minFault.toMillis() < 1 || maxFault.compareTo(minFault) < 0) {
        throw new IllegalArgumentException("need 1 ms <= minFault <= maxFault");
      }
      if (quietTail.isNegative() || maxDelay.isNegative()) {
        throw new IllegalArgumentException("quietTail and maxDelay must not be negative");
      }
    }

    /** Gaps 0.5–2 s, faults 1–4 s, a 3 s quiet tail, delays up to 100 ms, every kind. */
    public static Options defaults() {
      return new Options(Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(1),
          Duration.ofSeconds(4), Duration.ofSeconds(3), Duration.ofMillis(100),
          EnumSet.allOf(Kind.class));
    }
  }

  private final long seed;
  private final List<String> nodes;
  private final Duration runLength;
  private final List<Fault> faults;

  private FaultSchedule(long seed, List<String> nodes, Duration runLength, List<Fault> faults) {
    this.seed = seed;
    this.nodes = nodes;
    this.runLength = runLength;
    this.faults = faults;
  }

  /**
   * The schedule for this seed. The node order given does not matter (they are sorted first), so
   * the same seed and node set always give the same schedule.
   */
  public static FaultSchedule generate(long seed, Collection<String> nodeIds, Duration runLength,
      Options options) {
    List<String> nodes = List.copyOf(new TreeSet<>(nodeIds));
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("no nodes");
    }
    List<Kind> kinds = options.kinds().stream().filter(k -> k.applies(nodes.size()))
        .sorted(Comparator.naturalOrder()).toList();
    Random random = new Random(seed);
    long limit = runLength.minus(options.quietTail()).toMillis();
    List<Fault> faults = new ArrayList<>();
    long t = 0;
    while (!kinds.isEmpty() && faults.size() < MAX_FAULTS) { // t grows by >= 1 ms per pass
      long start = t + millisBetween(random, options.minGap(), options.maxGap());
      long end = start + millisBetween(random, options.minFault(), options.maxFault());
      if (end > limit) {
        break;
      }
      Kind kind = kinds.get(random.nextInt(kinds.size()));
      faults.add(new Fault(Duration.ofMillis(start), Duration.ofMillis(end),
          disruption(kind, nodes, random, options)));
      t = end;
    }
    return new FaultSchedule(seed, nodes, runLength, List.copyOf(faults));
  }

  /** The seed the schedule came from. */
  public long seed() {
    return seed;
  }

  /** The faults in time order. */
  public List<Fault> faults() {
    return faults;
  }

  /** Every begin and end, in time order. */
  public List<Step> steps() {
    List<Step> steps = new ArrayList<>();
    for (Fault f : faults) {
      steps.add(new Step(f.start(), f, true));
      steps.add(new Step(f.end(), f, false));
    }
    return List.copyOf(steps); // already ordered: faults do not overlap
  }

  /** A multi-line summary: the seed, nodes and run length, then one line per fault. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    b.append("fault schedule seed=").append(seed).append(" nodes=").append(nodes)
        .append(" run=").append(seconds(runLength)).append(": ").append(faults.size())
        .append(faults.size() == 1 ? " fault" : " faults");
    for (Fault f : faults) {
      b.append("\n  ").append(f);
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FaultSchedule s && seed == s.seed && nodes.equals(s.nodes)
        && runLength.equals(s.runLength) && faults.equals(s.faults);
  }

  @Override
  public int hashCode() {
    return Objects.hash(seed, nodes, runLength, faults);
  }

  // ---------------------------------------------------------------- generation

  private static Disruption disruption(Kind kind, List<String> nodes, Random random,
      Options options) {
    List<String> shuffled = new ArrayList<>(nodes);
    Collections.shuffle(shuffled, random);
    int n = shuffled.size();
    return switch (kind) {
      case PARTITION_HALVES -> split(kind, shuffled, n / 2);
      case PARTITION_MAJORITY_MINORITY -> split(kind, shuffled, 1 + random.nextInt((n - 1) / 2));
      case PARTITION_BRIDGE -> {
        // The first node bridges; the rest split into halves that cannot reach each other.
        List<String> rest = shuffled.subList(1, n);
        yield split(kind, rest, rest.size() / 2);
      }
      case ISOLATE -> split(kind, shuffled, 1);
      case DELAY -> {
        long max = options.maxDelay().toMillis();
        long min = max == 0 ? 0 : random.nextLong(max / 4 + 1);
        long top = min + (max == min ? 0 : random.nextLong(max - min + 1));
        yield new Delay(Duration.ofMillis(min), Duration.ofMillis(top));
      }
      case PAUSE -> new Pause(shuffled.get(0));
      case KILL -> new Kill(shuffled.get(0));
    };
  }

  /** The first {@code k} nodes against the rest, each side sorted for readable summaries. */
  private static Partition split(Kind kind, List<String> nodes, int k) {
    return new Partition(kind, List.copyOf(new TreeSet<>(nodes.subList(0, k))),
        List.copyOf(new TreeSet<>(nodes.subList(k, nodes.size()))));
  }

  /** Milliseconds drawn uniformly from {@code [min, max]}; the fault schedules' one rule for lengths and gaps. */
  public static long millisBetween(Random random, Duration min, Duration max) {
    long lo = min.toMillis();
    long hi = max.toMillis();
    return lo == hi ? lo : lo + random.nextLong(hi - lo + 1);
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%d.%03ds", d.toSeconds(), d.toMillisPart());
  }
}
