package pando.bench;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a measured run cost in CPU: for each group of server processes (the nodes, the placement
 * driver), its CPU time per acknowledged operation, and the runner's own CPU use in cores, which
 * says whether the runner rather than the servers set the pace.
 *
 * @param ackedOps operations acknowledged in the window
 * @param wall length of the window
 * @param runnerCpu CPU time of this process, the runner, in the window
 * @param servers CPU time of each measured group in the window, in the order given; empty when no
 *     server process was named
 * @param serversUnmeasured why the servers' figures are missing although processes were named
 *     (one exited during the run)
 */
public record CpuCost(long ackedOps, Duration wall, Duration runnerCpu, List<ServerCpu> servers,
    Optional<String> serversUnmeasured) {

  /** @param name what the processes are, e.g. {@code nodes}; a JSON key */
  public record ServerCpu(String name, List<Long> pids, Duration cpu) {
    public ServerCpu {
      pids = List.copyOf(pids);
    }
  }

  public CpuCost {
    if (ackedOps < 0) {
      throw new IllegalArgumentException("acknowledged operations must not be negative, got " + ackedOps);
    }
    if (wall.isNegative() || wall.isZero()) {
      throw new IllegalArgumentException("the window must be longer than zero, got " + wall);
    }
    servers = List.copyOf(servers);
  }

  /** CPU time per acknowledged operation in milliseconds; NaN when nothing was acknowledged. */
  public double msPerOp(Duration cpu) {
    return ackedOps == 0 ? Double.NaN : cpu.toNanos() / 1e6 / ackedOps;
  }

  /** Average cores busy over the window. */
  public double cores(Duration cpu) {
    return (double) cpu.toNanos() / wall.toNanos();
  }

  public double runnerCores() {
    return cores(runnerCpu);
  }

  /** Lines for the result table. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    if (serversUnmeasured.isPresent()) {
      out.append("server CPU: not measured, ").append(serversUnmeasured.get()).append('\n');
    } else if (!servers.isEmpty()) {
      out.append("CPU per acknowledged op:");
      for (int i = 0; i < servers.size(); i++) {
        ServerCpu group = servers.get(i);
        out.append(i == 0 ? " " : ", ").append(String.format(Locale.ROOT, "%s %s ms (%d process%s, %.2f cores)",
            group.name(), text(msPerOp(group.cpu())), group.pids().size(), group.pids().size() == 1 ? "" : "es",
            cores(group.cpu())));
      }
      out.append('\n');
    }
    out.append(String.format(Locale.ROOT, "runner CPU: %.2f cores%n", runnerCores()));
    return out.toString();
  }

  /** JSON members to add to the result object, each preceded by a comma. */
  public String jsonFields() {
    StringBuilder out = new StringBuilder();
    if (!servers.isEmpty() && serversUnmeasured.isEmpty()) {
      StringBuilder msPerOp = new StringBuilder();
      StringBuilder cores = new StringBuilder();
      for (ServerCpu group : servers) {
        String separator = msPerOp.length() == 0 ? "" : ",";
        msPerOp.append(separator).append('"').append(group.name()).append("\":").append(number(msPerOp(group.cpu()), 4));
        cores.append(separator).append('"').append(group.name()).append("\":").append(number(cores(group.cpu()), 3));
      }
      out.append(",\"cpu_ms_per_op\":{").append(msPerOp).append("},\"server_cores\":{").append(cores).append('}');
    }
    return out.append(",\"runner_cores\":").append(number(runnerCores(), 3)).toString();
  }

  private static String text(double value) {
    return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.3f", value);
  }

  /** The value with {@code decimals} decimals, or {@code null} (valid JSON) when it is NaN. */
  private static String number(double value, int decimals) {
    return Double.isNaN(value) ? "null" : String.format(Locale.ROOT, "%." + decimals + "f", value);
  }
}
