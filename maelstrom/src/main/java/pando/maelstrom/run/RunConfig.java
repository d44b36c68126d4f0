package pando.maelstrom.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import pando.maelstrom.harness.FaultSchedule;

/**
 * Settings of one {@link TestRun}.
 *
 * @param nodes number of node processes, named {@code n1 .. n<nodes>}
 * @param duration how long clients run (faults are scheduled within it)
 * @param clients concurrent clients, each sending one request at a time to a random node
 * @param seed seeds the workload, the fault schedule, node choice and network delays
 * @param faults whether to inject faults
 * @param thinkTime pause of each client between two operations (zero: as fast as replies come)
 * @param outputDir where node data, node logs and {@code history.jsonl} go
 * @param nodeCommand the program that runs one node, without per-node arguments
 * @param nodeArgs extra node arguments, e.g. {@code --unsafe-local-reads}; {@code --data-dir
 *     <outputDir>/data} is always added
 * @param keys keys the workload uses
 * @param clientTimeout how long a client waits for a reply before recording {@code info}
 * @param faultOptions tuning of the generated fault schedule
 * @param scriptedFaults if not null, these faults are applied instead of a generated schedule
 * @param checkBudgetPerKey the checker's time budget per key
 */
public record RunConfig(int nodes, Duration duration, int clients, long seed, boolean faults,
    Duration thinkTime, Path outputDir, List<String> nodeCommand, List<String> nodeArgs, int keys,
    Duration clientTimeout, FaultSchedule.Options faultOptions,
    List<FaultSchedule.Fault> scriptedFaults, Duration checkBudgetPerKey) {

  public static final int DEFAULT_NODES = 3;
  public static final int DEFAULT_CLIENTS = 3;
  public static final Duration DEFAULT_DURATION = Duration.ofSeconds(30);

  public RunConfig {
    if (nodes < 1) {
      throw new IllegalArgumentException("--nodes must be at least 1: " + nodes);
    }
    if (clients < 1) {
      throw new IllegalArgumentException("--clients must be at least 1: " + clients);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("the time limit must be positive: " + duration);
    }
    if (thinkTime.isNegative()) {
      throw new IllegalArgumentException("think time must not be negative");
    }
    if (keys < 1) {
      throw new IllegalArgumentException("keys must be positive: " + keys);
    }
    Objects.requireNonNull(outputDir, "outputDir");
    nodeCommand = List.copyOf(nodeCommand);
    if (nodeCommand.isEmpty()) {
      throw new IllegalArgumentException("empty node command");
    }
    nodeArgs = List.copyOf(nodeArgs);
    Objects.requireNonNull(clientTimeout, "clientTimeout");
    Objects.requireNonNull(faultOptions, "faultOptions");
    scriptedFaults = scriptedFaults == null ? null : List.copyOf(scriptedFaults);
    Objects.requireNonNull(checkBudgetPerKey, "checkBudgetPerKey");
  }

  /** Defaults: 3 nodes, 30 s, 3 clients, faults on, 10 ms think time, 5 keys. */
  public static RunConfig defaults(long seed, Path outputDir, List<String> nodeCommand) {
    return new RunConfig(DEFAULT_NODES, DEFAULT_DURATION, DEFAULT_CLIENTS, seed, true,
        Duration.ofMillis(10), outputDir, nodeCommand, List.of(), 5, Duration.ofSeconds(5),
        FaultSchedule.Options.defaults(), null, Duration.ofSeconds(60));
  }

  public RunConfig withNodes(int n) {
    return new RunConfig(n, duration, clients, seed, faults, thinkTime, outputDir, nodeCommand,
        nodeArgs, keys, clientTimeout, faultOptions, scriptedFaults, checkBudgetPerKey);
  }

  public RunConfig withDuration(Duration d) {
    return new RunConfig(nodes, d, clients, seed, faults, thinkTime, outputDir, nodeCommand,
        nodeArgs, keys, clientTimeout, faultOptions, scriptedFaults, checkBudgetPerKey);
  }

  public RunConfig withClients(int c) {
    return new RunConfig(nodes, duration, c, seed, faults, thinkTime, outputDir, nodeCommand,
        nodeArgs, keys, clientTimeout, faultOptions, scriptedFaults, checkBudgetPerKey);
  }

  public RunConfig withFaults(boolean on) {
    return new RunConfig(nodes, duration, clients, seed, on, thinkTime, outputDir, nodeCommand,
        nodeArgs, keys, clientTimeout, faultOptions, scriptedFaults, checkBudgetPerKey);
  }

  public RunConfig withThinkTime(Duration t) {
    return new RunConfig(nodes, duration, clients, seed, faults, t, outputDir, nodeCommand,
        nodeArgs, keys, clientTimeout, faultOptions, scriptedFaults, checkBudgetPerKey);
  }

  public RunConfig withNodeArgs(List<String> args) {
    return new RunConfig(nodes, duration, clients, seed, faults, thinkTime, outputDir, nodeCommand,
        args, keys, clientTimeout, faultOptions, scriptedFaults, checkBudgetPerKey);
  }

  public RunConfig withKeys(int k) {
    return new RunConfig(nodes, duration, clients, seed, faults, thinkTime, outputDir, nodeCommand,
        nodeArgs, k, clientTimeout, faultOptions, scriptedFaults, checkBudgetPerKey);
  }

  public RunConfig withFaultOptions(FaultSchedule.Options o) {
    return new RunConfig(nodes, duration, clients, seed, faults, thinkTime, outputDir, nodeCommand,
        nodeArgs, keys, clientTimeout, o, scriptedFaults, checkBudgetPerKey);
  }

  /** Applies exactly {@code list} (and turns faults on) instead of a generated schedule. */
  public RunConfig withScriptedFaults(List<FaultSchedule.Fault> list) {
    return new RunConfig(nodes, duration, clients, seed, true, thinkTime, outputDir, nodeCommand,
        nodeArgs, keys, clientTimeout, faultOptions, list, checkBudgetPerKey);
  }

  /** The node ids, {@code n1 .. n<nodes>}. */
  public List<String> nodeIds() {
    return java.util.stream.IntStream.rangeClosed(1, nodes).mapToObj(i -> "n" + i).toList();
  }
}
