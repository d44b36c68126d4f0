package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckPlanTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4");
  private static final Duration RUN = Duration.ofSeconds(120);

  private static List<CheckPlan.Fault> plan(long seed, Set<CheckPlan.Kind> kinds) {
    return CheckPlan.generate(seed, NODES, RUN, CheckPlan.Options.defaults(kinds));
  }

  @Test
  void theSameSeedGivesTheSamePlanWhateverTheOrderOfTheNodes() {
    List<CheckPlan.Fault> a = plan(42, EnumSet.allOf(CheckPlan.Kind.class));
    List<CheckPlan.Fault> b = CheckPlan.generate(42, List.of("n4", "n2", "n3", "n1"), RUN,
        CheckPlan.Options.defaults(EnumSet.allOf(CheckPlan.Kind.class)));
    assertThat(a).isEqualTo(b).isNotEqualTo(plan(43, EnumSet.allOf(CheckPlan.Kind.class)));
  }

  @Test
  void faultsFollowEachOtherWithoutOverlapAndEndBeforeTheQuietTail() {
    for (long seed = 0; seed < 50; seed++) {
      List<CheckPlan.Fault> faults = plan(seed, EnumSet.allOf(CheckPlan.Kind.class));
      assertThat(faults).isNotEmpty();
      Duration previousEnd = Duration.ZERO;
      for (CheckPlan.Fault f : faults) {
        assertThat(f.start()).as("seed %d: %s", seed, f).isGreaterThanOrEqualTo(previousEnd.plusSeconds(1));
        assertThat(f.end()).isLessThanOrEqualTo(RUN.minus(CheckPlan.QUIET_TAIL));
        previousEnd = f.end();
      }
    }
  }

  @Test
  void eachKindActsOnWhatItShould() {
    Set<CheckPlan.Kind> seen = EnumSet.noneOf(CheckPlan.Kind.class);
    Set<String> isolated = new HashSet<>();
    for (long seed = 0; seed < 50; seed++) {
      for (CheckPlan.Fault f : plan(seed, EnumSet.allOf(CheckPlan.Kind.class))) {
        seen.add(f.kind());
        switch (f.kind()) {
          case ISOLATE -> {
            assertThat(f.sideA()).hasSize(1);
            assertThat(f.sideB()).hasSize(NODES.size()); // the other nodes and the placement driver
            isolated.add(f.target());
          }
          case PARTITION -> {
            assertThat(f.sideA().size()).isBetween(1, 2); // a minority of the 5 processes
            assertThat(f.sideA().size() + f.sideB().size()).isEqualTo(5);
            assertThat(f.sideA()).doesNotContainAnyElementsOf(f.sideB());
          }
          case PAUSE, KILL -> assertThat(NODES).contains(f.target()); // never the placement driver
          case SPLIT, MOVE, TRANSFER_LEADER -> assertThat(f.end()).isEqualTo(f.start());
          case SALT -> assertThat(f.end()).isGreaterThan(f.start());
          default -> throw new AssertionError(f);
        }
      }
    }
    assertThat(seen).containsExactlyInAnyOrder(CheckPlan.Kind.values());
    assertThat(isolated).contains("pd", "n1", "n4");
  }

  @Test
  void onlyTheChosenKindsAreDrawnAndNoneGivesNoFaults() {
    assertThat(plan(7, EnumSet.of(CheckPlan.Kind.ISOLATE))).isNotEmpty()
        .allSatisfy(f -> assertThat(f.kind()).isEqualTo(CheckPlan.Kind.ISOLATE));
    assertThat(plan(7, Set.of())).isEmpty();
  }

  @Test
  void faultKindsAreNamedOnTheCommandLineWithDashes() {
    assertThat(CheckCommand.kinds(List.of("transfer-leader", "kill"))).containsExactlyInAnyOrder(
        CheckPlan.Kind.TRANSFER_LEADER, CheckPlan.Kind.KILL);
    assertThat(CheckCommand.kinds(List.of("none"))).isEmpty();
    assertThat(CheckCommand.kinds(null)).isEqualTo(EnumSet.complementOf(EnumSet.of(CheckPlan.Kind.SALT)));
    assertThat(CheckCommand.kinds(List.of("salt"))).containsExactly(CheckPlan.Kind.SALT);
    assertThatThrownBy(() -> CheckCommand.kinds(List.of("flood"))).hasMessageContaining("unknown fault 'flood'")
        .hasMessageContaining("transfer-leader");
  }
}
