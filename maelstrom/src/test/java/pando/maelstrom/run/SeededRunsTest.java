package pando.maelstrom.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import pando.maelstrom.check.Event;
import pando.maelstrom.check.Verdict;
import pando.maelstrom.harness.FaultSchedule;

/**
 * Seeded fault-injection runs of three LinKvNode processes: each must be linearizable. The fault
 * kinds are restricted to partitions, pauses and kills, and the seeds chosen so that every run has
 * at least one partition and one kill/restart (asserted from the faults actually applied).
 */
class SeededRunsTest {
  private static final Duration RUN = Duration.ofSeconds(25);
  private static final FaultSchedule.Options FAULTS;

  static {
    FaultSchedule.Options d = FaultSchedule.Options.defaults();
    FAULTS = new FaultSchedule.Options(d.minGap(), d.maxGap(), d.minFault(), d.maxFault(),
        d.quietTail(), d.maxDelay(), EnumSet.of(FaultSchedule.Kind.ISOLATE,
            FaultSchedule.Kind.PARTITION_MAJORITY_MINORITY, FaultSchedule.Kind.KILL,
            FaultSchedule.Kind.PAUSE));
  }

  @Test
  void seed1IsLinearizable() throws Exception {
    seededRun(1);
  }

  @Test
  void seed2IsLinearizable() throws Exception {
    seededRun(2);
  }

  @Test
  void seed3IsLinearizable() throws Exception {
    seededRun(3);
  }

  private void seededRun(long seed) throws Exception {
    System.out.println("=== SeededRunsTest seed " + seed);
    RunConfig config = RunTests.config(seed, RunTests.freshDir("seed-" + seed), RUN).withFaultOptions(FAULTS);
    TestRun.RunResult r = TestRun.run(config, System.out);
    assertThat(r.hasFault(FaultSchedule.Partition.class)).as("a partition was applied").isTrue();
    assertThat(r.hasFault(FaultSchedule.Kill.class)).as("a kill/restart was applied").isTrue();
    assertThat(r.verdict()).as(r.check().describe()).isEqualTo(Verdict.VALID);
    assertThat(r.total(Event.Type.OK)).as("ok operations").isGreaterThan(100);
    assertThat(r.historyFile()).exists();
  }
}
