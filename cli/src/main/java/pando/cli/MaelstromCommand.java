package pando.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import pando.maelstrom.run.Main;
import pando.maelstrom.run.RunConfig;
import pando.maelstrom.run.TestRun;

@Command(
    name = "maelstrom",
    mixinStandardHelpOptions = true,
    description = "Maelstrom lin-kv testing of Pando's Raft replica (see 'pando maelstrom test --help').",
    subcommands = {MaelstromCommand.Test.class})
final class MaelstromCommand implements Runnable {
  /** System property the help text reads the jar path from. */
  static final String JAR_PROPERTY = "pando.maelstrom.jar";

  static {
    System.setProperty(JAR_PROPERTY, jarPath());
  }

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The jar this class was loaded from, or the usual build output if run from classes. */
  static String jarPath() {
    try {
      Path p = Path.of(MaelstromCommand.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI());
      if (p.toString().endsWith(".jar")) {
        return p.toAbsolutePath().toString();
      }
    } catch (Exception | Error e) {
      // fall through: no code source (unusual class loader)
    }
    return "cli/target/pando.jar";
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      usageHelpWidth = 120, // the Maelstrom command line below must stay on one line
      description = {
        "Runs a Maelstrom-style lin-kv test in-process: starts --nodes LinKvNode processes, a"
            + " simulated network, --clients clients with a seeded workload and (unless"
            + " --no-faults) seeded partitions, delays, pauses and kill/restarts; then checks the"
            + " history for linearizability.",
        "Exit code 0 if the history is linearizable, 1 if not or if the checker cannot tell.",
      },
      footer = {
        "",
        "To run the same node binary under the reference Maelstrom, save this two-line script as"
            + " pando-lin-kv.sh and make it executable (chmod +x pando-lin-kv.sh):",
        "",
        "  #!/bin/sh",
        "  exec java -cp ${sys:" + JAR_PROPERTY + ":-<pando.jar>} pando.maelstrom.node.LinKvNode",
        "",
        "then run:",
        "",
        "  maelstrom test -w lin-kv --bin ./pando-lin-kv.sh --node-count 3 --time-limit 30"
            + " --concurrency 6 --nemesis partition",
      })
  static final class Test implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "3", description = "Node processes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--time-limit", defaultValue = "30s",
        description = "How long clients run: 30s, 2m, or seconds (default: ${DEFAULT-VALUE}).")
    String timeLimit;

    @Option(names = "--clients", defaultValue = "3", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    int clients;

    @Option(names = "--seed", description = "Seed of workload and faults; printed, to replay a run (default: random).")
    Long seed;

    @Option(names = "--no-faults", description = "No partitions, delays, pauses or kills.")
    boolean noFaults;

    @Option(names = "--unsafe-local-reads",
        description = "Start nodes in the UNSAFE mode that reads without ReadIndex (NOT linearizable; to see the checker catch it).")
    boolean unsafeLocalReads;

    @Option(names = "--dir", description = "Output directory for node data, logs and history.jsonl (default: maelstrom-runs/<time>-seed<N>).")
    Path dir;

    @Override
    public Integer call() throws Exception {
      long s = seed != null ? seed : Main.randomSeed();
      List<String> nodeArgs = new ArrayList<>();
      if (unsafeLocalReads) {
        nodeArgs.add("--unsafe-local-reads");
      }
      RunConfig config = RunConfig.defaults(s, dir != null ? dir : Main.defaultDir(s),
              Main.nodeCommand(System.getProperty("java.class.path")))
          .withNodes(nodes)
          .withClients(clients)
          .withDuration(Main.duration(timeLimit))
          .withFaults(!noFaults)
          .withNodeArgs(nodeArgs);
      PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
      TestRun.RunResult result = TestRun.run(config, out);
      return Main.exitCode(result.verdict());
    }
  }
}
