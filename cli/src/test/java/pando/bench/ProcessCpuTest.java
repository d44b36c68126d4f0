package pando.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {
  private static final Duration BUSY_LIMIT = Duration.ofSeconds(20);

  /** Keeps the busy loop's result alive so the JIT cannot drop the loop. */
  private static volatile long sink;

  @Test
  void thisJvmsCpuTimeGrowsWhileItComputes() throws Exception {
    long self = ProcessHandle.current().pid();
    Duration before = ProcessCpu.of(self);
    Duration after = before;
    long deadline = System.nanoTime() + BUSY_LIMIT.toNanos();
    // Computes until the kernel has charged at least one more clock tick; the deadline is only an
    // exit for a broken reader, it is not how long the test waits.
    while (after.compareTo(before) <= 0 && System.nanoTime() - deadline < 0) {
      sink += busyWork(sink);
      after = ProcessCpu.of(self);
    }
    assertThat(before).isPositive();
    assertThat(after).isGreaterThan(before);
    assertThat(ProcessCpu.sum(List.of(self, self))).isGreaterThanOrEqualTo(after.multipliedBy(2));
  }

  @Test
  void addsUserAndSystemTicksCountingFieldsFromTheLastParenthesis() {
    // utime 250 and stime 50 ticks (fields 14 and 15); the command name holds spaces and a ')'.
    String stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 60378 3133440 359";
    assertThat(ProcessCpu.parseStat(stat)).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void aProcessThatIsNotThereIsNamedInTheError() {
    long neverAPid = Long.MAX_VALUE; // above any pid_max
    assertThatThrownBy(() -> ProcessCpu.of(neverAPid))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("no process " + neverAPid);
  }

  private static long busyWork(long seed) {
    long x = seed | 1;
    for (int i = 0; i < 100_000; i++) {
      x ^= x << 13;
      x ^= x >>> 7;
      x ^= x << 17;
    }
    return x;
  }
}
