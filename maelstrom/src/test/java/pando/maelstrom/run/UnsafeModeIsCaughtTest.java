package pando.maelstrom.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import pando.maelstrom.check.Verdict;
import pando.maelstrom.harness.FaultSchedule;

/**
 * With {@code --unsafe-local-reads} a node cut off from the majority keeps answering reads from
 * its own, stale, replica while the majority commits new writes; clients that read through the
 * isolated node see old values, and the checker must say INVALID.
 */
class UnsafeModeIsCaughtTest {
  @Test
  void staleReadsFromAnIsolatedNodeAreInvalid() throws Exception {
    long seed = 42;
    System.out.println("=== UnsafeModeIsCaughtTest seed " + seed);
    // n3 isolated from +2 s to +12 s: writes commit on n1/n2, reads on n3 are stale.
    List<FaultSchedule.Fault> script = List.of(new FaultSchedule.Fault(Duration.ofSeconds(2),
        Duration.ofSeconds(12), new FaultSchedule.Partition(FaultSchedule.Kind.ISOLATE,
            List.of("n3"), List.of("n1", "n2"))));
    RunConfig config = RunTests.config(seed, RunTests.freshDir("unsafe-local-reads"), Duration.ofSeconds(15))
        .withNodeArgs(List.of("--unsafe-local-reads"))
        .withKeys(2)
        .withScriptedFaults(script);
    TestRun.RunResult r = TestRun.run(config, System.out);
    assertThat(r.faults()).as("the scripted partition was applied").hasSize(1);
    assertThat(r.verdict()).as(r.check().describe()).isEqualTo(Verdict.INVALID);
    assertThat(r.check().firstInvalid()).isPresent();
  }
}
