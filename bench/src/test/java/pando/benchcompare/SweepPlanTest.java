package pando.benchcompare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SweepPlanTest {
  @Test
  void stepsArePercentagesOfThePeakRoundedAndAscending() {
    assertThat(SweepPlan.of(1234.0, List.of(100, 10, 50)).rates()).containsExactly(123L, 617L, 1234L);
  }

  @Test
  void theDefaultTenStepsGoFromATenthToThePeak() {
    List<Integer> percents = List.of(10, 20, 30, 40, 50, 60, 70, 80, 90, 100);
    assertThat(SweepPlan.of(2000, percents).rates())
        .containsExactly(200L, 400L, 600L, 800L, 1000L, 1200L, 1400L, 1600L, 1800L, 2000L);
  }

  @Test
  void aLowPeakNeverYieldsARateOfZeroAndRepeatsCollapse() {
    // 10% and 20% of 4 ops/s both round to 1 op/s (never 0, which would mean closed loop).
    assertThat(SweepPlan.of(4, List.of(10, 20, 50, 100)).rates()).containsExactly(1L, 2L, 4L);
  }

  @Test
  void rateStepsAboveThePeakMayOverloadOnPurpose() {
    assertThat(SweepPlan.of(100, List.of(150)).rates()).containsExactly(150L);
  }

  @Test
  void impossiblePlansAreRefused() {
    assertThatThrownBy(() -> SweepPlan.of(0, List.of(50))).hasMessageContaining("positive peak");
    assertThatThrownBy(() -> SweepPlan.of(Double.NaN, List.of(50))).hasMessageContaining("positive peak");
    assertThatThrownBy(() -> SweepPlan.of(100, List.of())).hasMessageContaining("1..50 steps");
    assertThatThrownBy(() -> SweepPlan.of(100, List.of(0))).hasMessageContaining("1..200");
    assertThatThrownBy(() -> SweepPlan.of(100, List.of(201))).hasMessageContaining("1..200");
  }
}
