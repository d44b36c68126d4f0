package pando.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;

/**
 * The CPU time (user + system) a process has used so far, read from {@code /proc/<pid>/stat}.
 * Linux only. Unlike throughput, CPU time per operation barely moves when other work shares the
 * machine, which is why benchmarks report it.
 */
public final class ProcessCpu {
  /**
   * The unit of utime and stime in {@code /proc/<pid>/stat} ({@code getconf CLK_TCK}). The kernel
   * shows user space a fixed USER_HZ of 100 whatever its own tick rate, on every architecture
   * Java runs on, so this is a constant rather than a subprocess call.
   */
  static final long CLOCK_TICKS_PER_SECOND = 100;

  /** utime and stime are fields 14 and 15 of the stat line; these are their places after the comm field. */
  private static final int UTIME_AFTER_COMM = 11;
  private static final int STIME_AFTER_COMM = 12;

  private ProcessCpu() {}

  /** CPU time used by process {@code pid} (all its threads) until now. */
  public static Duration of(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      return parseStat(Files.readString(stat));
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(stat.toString(), null, "no process " + pid + " (it exited, or never ran here)");
    }
  }

  /** CPU time used until now by all of {@code pids} together. */
  public static Duration sum(Collection<Long> pids) throws IOException {
    Duration total = Duration.ZERO;
    for (long pid : pids) {
      total = total.plus(of(pid));
    }
    return total;
  }

  /** utime + stime of one {@code /proc/<pid>/stat} line. */
  static Duration parseStat(String stat) {
    // The command name (field 2) is in parentheses and may itself hold spaces and parentheses,
    // so the numbered fields are counted from the last ')'.
    int commEnd = stat.lastIndexOf(')');
    if (commEnd < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + stat);
    }
    String[] fields = stat.substring(commEnd + 1).trim().split(" +");
    if (fields.length <= STIME_AFTER_COMM) {
      throw new IllegalArgumentException("too few fields in a /proc/<pid>/stat line: " + stat);
    }
    long ticks = Long.parseLong(fields[UTIME_AFTER_COMM]) + Long.parseLong(fields[STIME_AFTER_COMM]);
    return Duration.ofMillis(ticks * 1000 / CLOCK_TICKS_PER_SECOND);
  }
}
