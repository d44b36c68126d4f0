package pando.maelstrom.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import pando.maelstrom.harness.FaultSchedule.Fault;
import pando.maelstrom.harness.FaultSchedule.Kind;
import pando.maelstrom.harness.FaultSchedule.Options;
import pando.maelstrom.harness.FaultSchedule.Partition;

class FaultScheduleTest {
  private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");
  private static final Duration RUN = Duration.ofSeconds(60);

  private static FaultSchedule generate(long seed, List<String> nodes) {
    return FaultSchedule.generate(seed, nodes, RUN, Options.defaults());
  }

  @Test
  void theSameSeedGivesTheSameScheduleWhateverTheNodeOrder() {
    FaultSchedule a = generate(42, FIVE);
    FaultSchedule b = generate(42, List.of("n5", "n3", "n1", "n4", "n2"));

    assertThat(a).isEqualTo(b);
    assertThat(a.toString()).isEqualTo(b.toString());
    assertThat(a.faults()).hasSizeGreaterThan(5);
  }

  @Test
  void differentSeedsGiveDifferentSchedules() {
    Set<String> schedules = new HashSet<>();
    IntStream.range(0, 20).forEach(seed -> schedules.add(generate(seed, FIVE).toString()));

    assertThat(schedules).hasSize(20);
  }

  @Test
  void everyFaultIsUndoneBeforeTheNextAndBeforeTheQuietTail() throws Exception {
    Duration lastAllowed = RUN.minus(Options.defaults().quietTail());
    for (int n = 1; n <= 7; n++) {
      List<String> nodes = IntStream.rangeClosed(1, n).mapToObj(i -> "n" + i).toList();
      for (long seed = 0; seed < 100; seed++) {
        FaultSchedule s = generate(seed, nodes);
        Duration previousEnd = Duration.ZERO;
        for (Fault f : s.faults()) {
          assertThat(f.start()).as("%s", s).isGreaterThanOrEqualTo(previousEnd);
          assertThat(f.end()).as("%s", s).isGreaterThan(f.start())
              .isLessThanOrEqualTo(lastAllowed);
          previousEnd = f.end();
        }
        // Playing the steps must never do something impossible and must leave all healthy.
        StateTarget target = new StateTarget(nodes);
        for (FaultSchedule.Step step : s.steps()) {
          step.apply(target);
        }
        target.assertHealthy();
        assertThat(s.steps()).extracting(FaultSchedule.Step::at).isSorted();
      }
    }
  }

  @Test
  void partitionsHaveTheirShapes() {
    Set<Kind> seen = EnumSet.noneOf(Kind.class);
    for (long seed = 0; seed < 200; seed++) {
      for (Fault f : generate(seed, FIVE).faults()) {
        if (!(f.disruption() instanceof Partition p)) {
          continue;
        }
        seen.add(p.kind());
        Set<String> a = new TreeSet<>(p.sideA());
        Set<String> b = new TreeSet<>(p.sideB());
        assertThat(a).doesNotContainAnyElementsOf(b);
        int covered = a.size() + b.size();
        switch (p.kind()) {
          case PARTITION_HALVES -> {
            assertThat(covered).isEqualTo(5);
            assertThat(Math.abs(a.size() - b.size())).isEqualTo(1);
          }
          case PARTITION_MAJORITY_MINORITY -> {
            assertThat(covered).isEqualTo(5);
            assertThat(a.size()).isBetween(1, 2);
          }
          case PARTITION_BRIDGE -> {
            assertThat(covered).isEqualTo(4); // the bridge is on neither side
            assertThat(a).hasSize(2);
            assertThat(b).hasSize(2);
          }
          case ISOLATE -> {
            assertThat(covered).isEqualTo(5);
            assertThat(a).hasSize(1);
          }
          default -> throw new AssertionError(p);
        }
      }
    }
    assertThat(seen).containsExactlyInAnyOrder(Kind.PARTITION_HALVES,
        Kind.PARTITION_MAJORITY_MINORITY, Kind.PARTITION_BRIDGE, Kind.ISOLATE);
  }

  @Test
  void kindsThatDoNotFitTheClusterAreSkipped() {
    Set<Class<?>> single = new HashSet<>();
    for (long seed = 0; seed < 50; seed++) {
      generate(seed, List.of("n1")).faults().forEach(f -> single.add(f.disruption().getClass()));
    }
    assertThat(single).containsExactlyInAnyOrder(FaultSchedule.Delay.class,
        FaultSchedule.Pause.class, FaultSchedule.Kill.class);

    Options none = new Options(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, Set.of());
    assertThat(FaultSchedule.generate(1, FIVE, RUN, none).faults()).isEmpty();

    Options pausesOnly = new Options(Duration.ZERO, Duration.ofSeconds(1), Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, Set.of(Kind.PAUSE));
    assertThat(FaultSchedule.generate(1, FIVE, RUN, pausesOnly).faults())
        .isNotEmpty().allMatch(f -> f.disruption() instanceof FaultSchedule.Pause);
  }

  @Test
  void theSummaryListsEveryFault() {
    FaultSchedule s = generate(7, FIVE);

    String text = s.toString();

    assertThat(text).startsWith("fault schedule seed=7 nodes=[n1, n2, n3, n4, n5] run=60.000s: ");
    assertThat(text.lines().count()).isEqualTo(1 + s.faults().size());
    for (Fault f : s.faults()) {
      assertThat(text).contains(f.toString());
    }
  }

  @Test
  void aRunTooShortForTheQuietTailHasNoFaults() {
    assertThat(FaultSchedule.generate(1, FIVE, Duration.ofSeconds(2), Options.defaults()).faults())
        .isEmpty();
  }

  /** Tracks the cluster as the steps describe it and rejects impossible transitions. */
  private static final class StateTarget implements FaultSchedule.Target {
    private final Set<String> nodes;
    private final Set<String> paused = new HashSet<>();
    private final Set<String> killed = new HashSet<>();
    private boolean partitioned;
    private boolean delayed;

    StateTarget(List<String> nodes) {
      this.nodes = Set.copyOf(nodes);
    }

    @Override
    public void partition(Set<String> sideA, Set<String> sideB) {
      assertThat(nodes).containsAll(sideA).containsAll(sideB);
      assertThat(sideA).isNotEmpty();
      assertThat(sideB).isNotEmpty();
      partitioned = true;
    }

    @Override
    public void heal() {
      assertThat(partitioned).as("heal without partition").isTrue();
      partitioned = false;
    }

    @Override
    public void delay(Duration min, Duration max) {
      assertThat(min).isLessThanOrEqualTo(max);
      assertThat(max).isLessThanOrEqualTo(Options.defaults().maxDelay());
      delayed = true;
    }

    @Override
    public void clearDelay() {
      assertThat(delayed).isTrue();
      delayed = false;
    }

    @Override
    public void pause(String node) {
      assertThat(nodes).contains(node);
      assertThat(paused.add(node)).isTrue();
    }

    @Override
    public void resume(String node) {
      assertThat(paused.remove(node)).isTrue();
    }

    @Override
    public void kill(String node) {
      assertThat(nodes).contains(node);
      assertThat(killed.add(node)).isTrue();
    }

    @Override
    public void restart(String node) {
      assertThat(killed.remove(node)).isTrue();
    }

    void assertHealthy() {
      assertThat(partitioned).isFalse();
      assertThat(delayed).isFalse();
      assertThat(paused).isEmpty();
      assertThat(killed).isEmpty();
    }
  }
}
