package pando.maelstrom.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import pando.maelstrom.check.Event;
import pando.maelstrom.check.Verdict;
import pando.maelstrom.harness.FaultSchedule;

/**
 * The long fault run: 5 LinKvNode processes, 10 minutes, every fault kind (partitions of every
 * shape, delays, pauses, kill -9 with restart). Too long for CI; run it with {@code mvn -B test -pl
 * maelstrom -am -Pmaelstrom-long -Dtest=LongRunTest -Dsurefire.failIfNoSpecifiedTests=false}. The seed is random unless {@code -Dpando.maelstrom.seed=N} is
 * given; it is printed first, so a failing run can be replayed.
 */
@Tag("maelstrom-long")
class LongRunTest {
  private static final Duration RUN = Duration.ofMinutes(10);
  private static final int NODES = 5;

  @Test
  void tenMinutesOfEveryFaultOnFiveNodesIsLinearizable() throws Exception {
    long seed = Long.getLong("pando.maelstrom.seed", System.nanoTime());
    System.out.println("=== LongRunTest seed " + seed);
    RunConfig config = RunTests.config(seed, RunTests.freshDir("long-seed-" + seed), RUN)
        .withNodes(NODES)
        .withClients(NODES)
        .withFaultOptions(FaultSchedule.Options.defaults());
    TestRun.RunResult r = TestRun.run(config, System.out);
    assertThat(r.hasFault(FaultSchedule.Partition.class)).as("a partition was applied").isTrue();
    assertThat(r.hasFault(FaultSchedule.Kill.class)).as("a kill/restart was applied").isTrue();
    assertThat(r.verdict()).as(r.check().describe()).isEqualTo(Verdict.VALID);
    assertThat(r.total(Event.Type.OK)).as("ok operations").isGreaterThan(1000);
  }
}
