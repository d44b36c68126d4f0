package pando.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a local cluster on 127.0.0.1: one process per node and one placement driver, data and logs under --dir.",
      "Runs in the foreground; Ctrl-C stops every node. Run it again on the same --dir to restart"
          + " the same cluster with its data."
    })
final class LocalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--nodes", defaultValue = "3", description = "Number of nodes (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--dir", defaultValue = "pando-data", description = "Data directory (default: ${DEFAULT-VALUE}).")
  Path dir;

  @Option(names = "--base-port", defaultValue = "7000",
      description = "Node i serves the API on base+i and Raft on base+100+i; the placement driver"
          + " listens on base+200 (Raft on base+201) (default: ${DEFAULT-VALUE}).")
  int basePort;

  @Option(names = "--initial-ranges", defaultValue = "8", description = "Ranges to create (default: ${DEFAULT-VALUE}).")
  int initialRanges;

  @Option(names = "--replication", description = "Replicas per range: 1, 3 or 5 (default: 3, or 1 with fewer than 3 nodes).")
  Integer replication;

  @Option(names = "--lease-reads", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Leader-lease reads on every node (default); --no-lease-reads to put reads in the Raft log (see 'pando node --help').")
  boolean leaseReads;

  @Option(names = "--node-heap", defaultValue = "768m", description = "JVM heap per node (default: ${DEFAULT-VALUE}).")
  String heap;

  @Option(names = "--pd-option", paramLabel = "FLAG",
      description = "A flag for the placement driver (see 'pando pd --help'), e.g. --pd-option=--hot-key-ops=500;"
          + " repeat for more.")
  List<String> pdOptions = new ArrayList<>();

  private List<String> pdArgs(int initialNodes, int rf) {
    List<String> args = new ArrayList<>(List.of(
        "--initial-nodes=" + initialNodes, "--initial-ranges=" + initialRanges, "--replication=" + rf));
    for (String option : pdOptions) {
      if (!option.startsWith("--")) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--pd-option takes a flag of 'pando pd' such as --hot-key-ops=500, got '" + option + "'");
      }
      args.add(option);
    }
    return args;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path absolute = dir.toAbsolutePath().normalize();
    boolean existing = Files.exists(absolute.resolve("n1").resolve("layout.txt"));
    int rf = replication != null ? replication : (nodes >= 3 ? 3 : 1);
    List<String> pdArgs = pdArgs(nodes, rf);
    var members = LocalCluster.plan(absolute, nodes, basePort);
    LocalCluster.checkPortsFree(members);
    List<String> nodeArgs = new ArrayList<>(List.of("--initial-ranges=" + initialRanges, "--replication=" + rf));
    if (!leaseReads) {
      nodeArgs.add("--no-lease-reads");
    }
    out.printf("%s a %d-node cluster, data in %s%n", existing ? "restarting" : "starting", members.size(), absolute);
    out.flush();
    LocalCluster.checkPortsFree(List.of(new pando.node.ClusterMember("pd1", "127.0.0.1", basePort + 201, basePort + 200)));
    // Metrics: the PD at base+300, node i at base+300+i.
    java.util.Map<String, Integer> metricsPorts = new java.util.HashMap<>(java.util.Map.of("pd1", basePort + 300));
    for (int i = 0; i < members.size(); i++) {
      metricsPorts.put(members.get(i).id(), basePort + 301 + i);
    }
    metricsPorts.forEach((process, port) -> LocalCluster.checkPortFree(port, "metrics of " + process));
    LocalCluster cluster = new LocalCluster(absolute, members, nodeArgs, heap, System.getProperty("java.class.path"))
        .withPlacementDriver(new LocalCluster.LocalPd(basePort + 200, basePort + 201, pdArgs))
        .withMetricsPorts(metricsPorts);
    CountDownLatch stopping = new CountDownLatch(1);
    Thread shutdown = new Thread(() -> {
      stopping.countDown();
      out.println("stopping the cluster...");
      out.flush();
      cluster.close();
      out.println("stopped; data kept in " + absolute);
      out.flush();
    }, "pando-local-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    cluster.startAll(LocalCluster.READY_TIMEOUT, i -> {
      out.printf("  %s ready at %s%n", members.get(i).id(), members.get(i).apiAddress());
      out.flush();
    });
    out.println("  waiting until every range has a leader and nothing moves");
    out.flush();
    try {
      cluster.awaitSettled(members.size(), LocalCluster.READY_TIMEOUT);
    } catch (IllegalStateException e) {
      cluster.close();
      throw e;
    }
    out.println();
    cluster.printTable(out);
    out.println();
    out.println("cluster ready. Try, in another terminal:");
    out.println("  ./pando put hello world");
    out.println("  ./pando get hello --endpoint " + members.get(members.size() - 1).apiAddress());
    out.println("  ./pando admin nodes --pd 127.0.0.1:" + (basePort + 200));
    out.println("  ./pando admin top --pd 127.0.0.1:" + (basePort + 200) + "     # busiest ranges and keys, live");
    out.println("  curl -s http://127.0.0.1:" + (basePort + 300) + "/metrics   # Prometheus metrics (nodes: see the table)");
    out.println("Web console (nodes, ranges, key heatmap): http://127.0.0.1:" + (basePort + 300) + "/");
    out.println("Ctrl-C stops every node.");
    out.flush();
    watch(cluster, out, stopping);
    return 0;
  }

  /** Reports nodes that exit on their own (for example when killed), until the cluster is stopped. */
  private static void watch(LocalCluster cluster, PrintWriter out, CountDownLatch stopping) throws InterruptedException {
    boolean[] reported = new boolean[cluster.members().size()];
    boolean pdReported = false;
    while (!stopping.await(1, TimeUnit.SECONDS)) {
      var pd = cluster.pdProcess();
      if (!pdReported && pd.isPresent() && !pd.get().isAlive()) {
        pdReported = true;
        out.printf("placement driver pd1 (pid %d) exited with code %d; the nodes keep serving data,"
            + " but 'pando admin' and routed requests need it (see %s)%n", pd.get().pid(), pd.get().exitValue(),
            cluster.pdLogFile());
        out.flush();
      }
      for (int i = 0; i < reported.length; i++) {
        var process = cluster.process(i);
        if (!reported[i] && process.isPresent() && !process.get().isAlive()) {
          reported[i] = true;
          out.printf("node %s (pid %d) exited with code %d; the others keep serving%n",
              cluster.members().get(i).id(), process.get().pid(), process.get().exitValue());
          out.flush();
        }
      }
    }
  }
}
