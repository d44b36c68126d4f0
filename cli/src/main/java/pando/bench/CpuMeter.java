package pando.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Measures CPU over one window: {@link #start} just before the measured run, {@link #stop} just
 * after it. Server processes are read from {@code /proc} ({@link ProcessCpu}); the runner is this
 * process.
 */
public final class CpuMeter {
  private final Map<String, List<Long>> serverPids;
  private final Map<String, Duration> serversAtStart;
  private final Duration runnerAtStart;
  private final long startNanos;

  private CpuMeter(Map<String, List<Long>> serverPids, Map<String, Duration> serversAtStart) {
    this.serverPids = serverPids;
    this.serversAtStart = serversAtStart;
    this.runnerAtStart = runnerCpu();
    this.startNanos = System.nanoTime();
  }

  /**
   * @param serverPids the server processes, by group name ({@code nodes}, {@code pd}), in the order
   *     to report them; may be empty, then only the runner is measured
   * @throws IOException if a named process cannot be read (it is not running)
   */
  public static CpuMeter start(Map<String, List<Long>> serverPids) throws IOException {
    Map<String, List<Long>> groups = new LinkedHashMap<>();
    serverPids.forEach((name, pids) -> groups.put(name, List.copyOf(pids)));
    Map<String, Duration> atStart = new LinkedHashMap<>();
    for (Map.Entry<String, List<Long>> group : groups.entrySet()) {
      atStart.put(group.getKey(), ProcessCpu.sum(group.getValue()));
    }
    return new CpuMeter(groups, atStart);
  }

  /** Ends the window. A server process that exited during it makes the servers' figures missing, with the reason. */
  public CpuCost stop(long ackedOps) {
    Duration wall = Duration.ofNanos(System.nanoTime() - startNanos);
    Duration runner = runnerCpu().minus(runnerAtStart);
    List<CpuCost.ServerCpu> servers = new ArrayList<>();
    Optional<String> unmeasured = Optional.empty();
    try {
      for (Map.Entry<String, List<Long>> group : serverPids.entrySet()) {
        Duration used = ProcessCpu.sum(group.getValue()).minus(serversAtStart.get(group.getKey()));
        servers.add(new CpuCost.ServerCpu(group.getKey(), group.getValue(), used));
      }
    } catch (IOException e) {
      unmeasured = Optional.of(e.getMessage());
    }
    return new CpuCost(ackedOps, wall, runner, servers, unmeasured);
  }

  private static Duration runnerCpu() {
    // Linux reads /proc/self/stat: 10 ms steps, well under 1% of a run of seconds.
    return ProcessHandle.current().info().totalCpuDuration()
        .orElseThrow(() -> new IllegalStateException("this platform does not report a process's CPU time"));
  }
}
