package pando.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import pando.maelstrom.harness.FaultSchedule;

/**
 * The faults of one {@code pando check} run, drawn from a seed: when each begins and ends, and what
 * it does. Pure: the same seed, processes and options give the same plan. The ranges and keys a
 * topology fault acts on are chosen when it begins, from the cluster as it is then.
 */
final class CheckPlan {
  /** Safety bound on the number of faults, whatever the options say. */
  static final int MAX_FAULTS = 1_000;
  /** Time at the end of every run with no fault, so that the history ends calm. */
  static final Duration QUIET_TAIL = Duration.ofSeconds(5);

  /** The kinds of fault a plan may hold. */
  enum Kind {
    /** One process (a node or the placement driver) cut off from all others. */
    ISOLATE,
    /** The processes cut into two groups; the smaller may hold the placement driver or a leader. */
    PARTITION,
    /** One node stopped with SIGSTOP, then continued. */
    PAUSE,
    /** One node killed with SIGKILL, then started again. */
    KILL,
    /** A range that holds a checked key split in two at its middle. */
    SPLIT,
    /** One replica of a range moved to a node that has none. */
    MOVE,
    /** A range's leadership handed to another of its replicas. */
    TRANSFER_LEADER,
    /** A checked key salted as read-hot, then unsalted. */
    SALT;

    /**
     * True for kinds that act from their start to their end (a cut healed, a paused node continued,
     * a killed node restarted, a salted key unsalted); the others act at their start only.
     */
    boolean lasting() {
      return cutsLinks() || this == PAUSE || this == KILL || this == SALT;
    }

    /** True for kinds that cut links, which need a network the check can cut. */
    boolean cutsLinks() {
      return this == ISOLATE || this == PARTITION;
    }

    /** The name on the command line: lower case with dashes. */
    String optionName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Kind fromOptionName(String name) {
      for (Kind k : values()) {
        if (k.optionName().equals(name)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown fault '" + name + "'; choose from " + optionNames());
    }

    static String optionNames() {
      return String.join(", ", EnumSet.allOf(Kind.class).stream().map(Kind::optionName).toList());
    }
  }

  /**
   * One fault: a kind with the processes it acts on ({@code sideA} and {@code sideB} for cuts, the
   * node in {@code sideA} for pause and kill; empty for topology faults), from {@code start} to
   * {@code end} after the run began; see {@link Kind#lasting}.
   */
  record Fault(Duration start, Duration end, Kind kind, List<String> sideA, List<String> sideB) {
    Fault {
      if (start.isNegative() || end.compareTo(start) < 0) {
        throw new IllegalArgumentException("need 0 <= start <= end: " + start + ", " + end);
      }
      sideA = List.copyOf(sideA);
      sideB = List.copyOf(sideB);
    }

    /** The one process a pause, kill or isolation acts on. */
    String target() {
      return sideA.get(0);
    }

    @Override
    public String toString() {
      String what = switch (kind) {
        case ISOLATE -> "isolate " + target();
        case PARTITION -> "partition " + sideA + " | " + sideB;
        case PAUSE -> "pause " + target();
        case KILL -> "kill -9 " + target() + ", then restart";
        default -> kind.optionName();
      };
      return "+" + seconds(start) + (end.equals(start) ? "" : " .. +" + seconds(end)) + "  " + what;
    }
  }

  /**
   * Tuning; times are drawn uniformly, to the millisecond.
   *
   * @param minGap shortest quiet time before each fault
   * @param maxGap longest quiet time before each fault
   * @param minFault shortest fault
   * @param maxFault longest fault
   * @param quietTail time at the end of the run with no fault, so that the history ends calm
   * @param kinds the kinds to choose from
   */
  record Options(Duration minGap, Duration maxGap, Duration minFault, Duration maxFault, Duration quietTail,
      Set<Kind> kinds) {
    Options {
      if (minGap.isNegative() || maxGap.compareTo(minGap) < 0) {
        throw new IllegalArgumentException("need 0 <= minGap <= maxGap");
      }
      if (minFault.toMillis() < 1 || maxFault.compareTo(minFault) < 0) {
        throw new IllegalArgumentException("need 1 ms <= minFault <= maxFault");
      }
      kinds = kinds.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(kinds));
    }

    /** Gaps of 1–3 s, faults of 2–5 s, the {@link #QUIET_TAIL}, the given kinds. */
    static Options defaults(Set<Kind> kinds) {
      return new Options(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofSeconds(5),
          QUIET_TAIL, kinds);
    }
  }

  private CheckPlan() {}

  /**
   * The faults for this seed, in time order and never overlapping. {@code nodes} are the node ids;
   * cuts also take in the process {@code pd}.
   */
  static List<Fault> generate(long seed, Collection<String> nodes, Duration runLength, Options options) {
    List<String> sortedNodes = List.copyOf(new TreeSet<>(nodes));
    if (sortedNodes.isEmpty()) {
      throw new IllegalArgumentException("no nodes");
    }
    List<String> processes = new ArrayList<>(sortedNodes);
    processes.add(0, "pd");
    List<Kind> kinds = options.kinds().stream().sorted().toList();
    Random random = new Random(seed);
    long limit = runLength.minus(options.quietTail()).toMillis();
    List<Fault> faults = new ArrayList<>();
    long t = 0;
    while (!kinds.isEmpty() && faults.size() < MAX_FAULTS) { // t grows by >= 1 ms per pass
      long start = t + FaultSchedule.millisBetween(random, options.minGap(), options.maxGap());
      Kind kind = kinds.get(random.nextInt(kinds.size()));
      long end = kind.lasting()
          ? start + FaultSchedule.millisBetween(random, options.minFault(), options.maxFault()) : start;
      if (end > limit) {
        break;
      }
      faults.add(fault(kind, Duration.ofMillis(start), Duration.ofMillis(end), sortedNodes, processes, random));
      t = Math.max(end, start + 1);
    }
    return List.copyOf(faults);
  }

  private static Fault fault(Kind kind, Duration start, Duration end, List<String> nodes, List<String> processes,
      Random random) {
    List<String> shuffled = new ArrayList<>(processes);
    Collections.shuffle(shuffled, random);
    return switch (kind) {
      case ISOLATE -> split(kind, start, end, shuffled, 1);
      case PARTITION -> split(kind, start, end, shuffled, 1 + random.nextInt(Math.max(1, (shuffled.size() - 1) / 2)));
      case PAUSE, KILL -> new Fault(start, end, kind, List.of(nodes.get(random.nextInt(nodes.size()))), List.of());
      default -> new Fault(start, end, kind, List.of(), List.of());
    };
  }

  /** The first {@code k} processes against the rest, each side sorted for readable reports. */
  private static Fault split(Kind kind, Duration start, Duration end, List<String> processes, int k) {
    return new Fault(start, end, kind, List.copyOf(new TreeSet<>(processes.subList(0, k))),
        List.copyOf(new TreeSet<>(processes.subList(k, processes.size()))));
  }


  static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%d.%03ds", d.toSeconds(), d.toMillisPart());
  }
}
