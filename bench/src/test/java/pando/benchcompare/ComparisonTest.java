package pando.benchcompare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import pando.bench.BenchConfig;
import pando.bench.BenchResult;
import pando.bench.Workload;

class ComparisonTest {
  private static Comparison.Sample sample(String workload, Store store, int run, double ops, Double readP50,
      Double updateP50) {
    Map<Figure, Double> values = new EnumMap<>(Figure.class);
    values.put(Figure.OPS_PER_SECOND, ops);
    if (readP50 != null) {
      values.put(Figure.READ_P50, readP50);
      values.put(Figure.READ_P99, readP50 * 10);
    }
    if (updateP50 != null) {
      values.put(Figure.UPDATE_P50, updateP50);
      values.put(Figure.UPDATE_P99, updateP50 * 10);
    }
    return new Comparison.Sample(workload, store, run, new Figures(values), 0);
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Comparison.median(new double[] {3, 1, 2}).getAsDouble()).isEqualTo(2);
    assertThat(Comparison.median(new double[] {4, 1, 3, 2}).getAsDouble()).isEqualTo(2.5);
    assertThat(Comparison.median(new double[] {7}).getAsDouble()).isEqualTo(7);
    assertThat(Comparison.median(new double[0])).isEmpty();
  }

  @Test
  void eachFigureIsTheMedianOverRunsAndTheRatioIsPandoOverEtcd() {
    List<Comparison.Sample> samples = List.of(
        sample("A", Store.PANDO, 1, 100, 2.0, 8.0),
        sample("A", Store.ETCD, 1, 400, 1.0, 2.0),
        sample("A", Store.ETCD, 2, 500, 1.5, 1.0),
        sample("A", Store.PANDO, 2, 300, 1.0, 6.0),
        sample("A", Store.PANDO, 3, 200, 3.0, 7.0),
        sample("A", Store.ETCD, 3, 600, 0.5, 3.0));
    Comparison comparison = Comparison.of(samples);
    Figures pando = comparison.row("A", Store.PANDO).orElseThrow().medians();
    Figures etcd = comparison.row("A", Store.ETCD).orElseThrow().medians();
    assertThat(pando.get(Figure.OPS_PER_SECOND).getAsDouble()).isEqualTo(200);
    assertThat(pando.get(Figure.READ_P50).getAsDouble()).isEqualTo(2.0);
    assertThat(pando.get(Figure.UPDATE_P50).getAsDouble()).isEqualTo(7.0);
    assertThat(etcd.get(Figure.OPS_PER_SECOND).getAsDouble()).isEqualTo(500);
    assertThat(etcd.get(Figure.READ_P50).getAsDouble()).isEqualTo(1.0);
    assertThat(etcd.get(Figure.UPDATE_P50).getAsDouble()).isEqualTo(2.0);
    Figures ratio = comparison.ratios().get(0).ratios();
    assertThat(ratio.get(Figure.OPS_PER_SECOND).getAsDouble()).isCloseTo(0.4, within(1e-9));
    assertThat(ratio.get(Figure.READ_P50).getAsDouble()).isCloseTo(2.0, within(1e-9));
    assertThat(ratio.get(Figure.UPDATE_P50).getAsDouble()).isCloseTo(3.5, within(1e-9));
    assertThat(comparison.row("A", Store.PANDO).orElseThrow().runs()).isEqualTo(3);
  }

  @Test
  void aFigureNoRunHadStaysAbsentAndPrintsAsADash() {
    Comparison comparison = Comparison.of(List.of(
        sample("C", Store.PANDO, 1, 900, 1.0, null),
        sample("C", Store.ETCD, 1, 1800, 0.5, null)));
    Figures ratio = comparison.ratios().get(0).ratios();
    assertThat(ratio.get(Figure.UPDATE_P50)).isEmpty();
    assertThat(ratio.get(Figure.READ_P50).getAsDouble()).isEqualTo(2.0);
    String table = comparison.table();
    assertThat(table).contains("C          pando (1)           900       1.00      10.00           -           -       0");
    assertThat(table).contains("C          pando/etcd         0.50       2.00       2.00           -           -");
  }

  @Test
  void aZeroDenominatorLeavesTheRatioEmptyRatherThanInfinite() {
    Comparison comparison = Comparison.of(List.of(
        sample("W", Store.PANDO, 1, 10, null, 5.0),
        sample("W", Store.ETCD, 1, 0, null, 1.0)));
    Figures ratio = comparison.ratios().get(0).ratios();
    assertThat(ratio.get(Figure.OPS_PER_SECOND)).isEmpty();
    assertThat(ratio.get(Figure.UPDATE_P50).getAsDouble()).isEqualTo(5.0);
  }

  @Test
  void workloadsKeepTheirOrderAndAWorkloadMeasuredOnOneStoreHasNoRatio() {
    List<Comparison.Sample> samples = new ArrayList<>(List.of(
        sample("B", Store.ETCD, 1, 10, 1.0, 1.0),
        sample("A", Store.PANDO, 1, 10, 1.0, 1.0),
        sample("A", Store.ETCD, 1, 10, 1.0, 1.0)));
    Comparison comparison = Comparison.of(samples);
    assertThat(comparison.rows()).extracting(Comparison.Row::workload).containsExactly("B", "A", "A");
    assertThat(comparison.rows()).extracting(Comparison.Row::store).containsExactly(Store.ETCD, Store.PANDO, Store.ETCD);
    assertThat(comparison.ratios()).extracting(Comparison.Ratio::workload).containsExactly("A");
    String table = comparison.table();
    assertThat(table.indexOf("\nB ")).isLessThan(table.indexOf("\nA "));
  }

  @Test
  void figuresOfABenchResultSkipOperationsThatDidNotHappen() {
    BenchConfig config = new BenchConfig(Workload.C, "uniform", 0.99, 10, 10, 1, Duration.ofSeconds(1), 0, 1);
    BenchResult result = new BenchResult(config, 2.0, List.of(
        new BenchResult.OpSummary("read", 100, 50, 1.5, 2, 3.5, 4, 5, 0, Optional.empty()),
        new BenchResult.OpSummary("update", 0, 0, 0, 0, 0, 0, 0, 0, Optional.empty())));
    Figures figures = Figures.of(result);
    assertThat(figures.get(Figure.OPS_PER_SECOND).getAsDouble()).isEqualTo(50);
    assertThat(figures.get(Figure.READ_P50).getAsDouble()).isEqualTo(1.5);
    assertThat(figures.get(Figure.READ_P99).getAsDouble()).isEqualTo(3.5);
    assertThat(figures.get(Figure.UPDATE_P50)).isEmpty();
  }

  @Test
  void storeOrderAlternatesFromRunToRun() {
    assertThat(Plan.order(1)).containsExactly(Store.PANDO, Store.ETCD);
    assertThat(Plan.order(2)).containsExactly(Store.ETCD, Store.PANDO);
    assertThat(Plan.order(3)).containsExactly(Store.PANDO, Store.ETCD);
  }
}
