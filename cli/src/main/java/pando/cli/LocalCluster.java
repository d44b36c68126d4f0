package pando.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import pando.client.PandoClient;
import pando.client.PandoException;
import pando.node.ClusterMember;
import pando.node.RangeLayout;

/**
 * A cluster of node processes on 127.0.0.1, each a child JVM running {@code pando node} with its
 * own data directory and log file. Children also watch this process and exit if it dies.
 */
final class LocalCluster implements AutoCloseable {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

  private final Path dir;
  private final List<ClusterMember> members;
  private final List<String> nodeArgs;
  private final String heap;
  private final String classpath;
  private final Process[] processes;
  private LocalPd pd;
  private Process pdProcess;
  private Map<String, Integer> metricsPorts = Map.of();

  /** The placement driver 'pando local' runs beside the nodes: one replica, id pd1. */
  record LocalPd(int apiPort, int raftPort, List<String> args) {
    String apiAddress() {
      return "127.0.0.1:" + apiPort;
    }
  }

  /**
   * @param nodeArgs extra arguments for every {@code pando node}
   * @param classpath where the node JVMs find Pando (this process's class path, or the fat jar)
   */
  LocalCluster(Path dir, List<ClusterMember> members, List<String> nodeArgs, String heap, String classpath) {
    this.dir = dir;
    this.members = List.copyOf(members);
    this.nodeArgs = List.copyOf(nodeArgs);
    this.heap = heap;
    this.classpath = classpath;
    this.processes = new Process[members.size()];
  }

  /**
   * The members of a local cluster: those saved by an earlier run in {@code dir}, or new ones with
   * API ports {@code basePort+1..} and Raft ports {@code basePort+101..}.
   */
  static List<ClusterMember> plan(Path dir, int nodes, int basePort) throws IOException {
    Path saved = dir.resolve("n1").resolve("layout.txt");
    if (Files.exists(saved)) {
      return RangeLayout.load(saved).members();
    }
    if (nodes < 1 || nodes > 9) {
      throw new IllegalArgumentException("--nodes must be in 1..9, got " + nodes);
    }
    List<ClusterMember> members = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      members.add(new ClusterMember("n" + i, "127.0.0.1", basePort + 100 + i, basePort + i));
    }
    return members;
  }

  /** Members n1..n{count} on loopback ports that are free right now. */
  static List<ClusterMember> onFreePorts(int count) throws IOException {
    List<ClusterMember> members = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      members.add(new ClusterMember("n" + i, "127.0.0.1", freePort(), freePort()));
    }
    return members;
  }

  /** A placement driver on loopback ports that are free right now. */
  static LocalPd pdOnFreePorts(List<String> args) throws IOException {
    return new LocalPd(freePort(), freePort(), args);
  }

  private static int freePort() throws IOException {
    try {
      return pando.api.LoopbackPorts.next();
    } catch (IllegalStateException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  static void checkPortsFree(List<ClusterMember> members) {
    for (ClusterMember m : members) {
      checkPortFree(m.apiPort(), "node " + m.id());
      checkPortFree(m.raftPort(), "node " + m.id());
    }
  }

  /** Refuses, naming {@code owner}, a loopback port something else holds. */
  static void checkPortFree(int port, String owner) {
    try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      probe.setReuseAddress(true);
    } catch (IOException e) {
      throw new IllegalArgumentException("port " + port + " (" + owner + ") is in use;"
          + " stop what holds it or choose another --base-port");
    }
  }

  List<ClusterMember> members() {
    return members;
  }

  /** Runs a placement driver with the nodes (started first); nodes register and heartbeat to it. */
  LocalCluster withPlacementDriver(LocalPd placementDriver) {
    this.pd = placementDriver;
    return this;
  }

  /** Serves each process's Prometheus metrics on a port of its own: node ids and {@code pd1} to ports. */
  LocalCluster withMetricsPorts(Map<String, Integer> ports) {
    this.metricsPorts = Map.copyOf(ports);
    return this;
  }

  /** The metrics address of {@code process} (a node id or {@code pd1}), if it serves metrics. */
  Optional<String> metricsAddress(String process) {
    return Optional.ofNullable(metricsPorts.get(process)).map(port -> "127.0.0.1:" + port);
  }

  Optional<LocalPd> placementDriver() {
    return Optional.ofNullable(pd);
  }

  Optional<Process> pdProcess() {
    return Optional.ofNullable(pdProcess);
  }

  Path pdLogFile() {
    return dir.resolve("pd1").resolve("pd.log");
  }

  /** Starts the placement driver process, if this cluster has one. */
  void startPd() throws IOException {
    if (pd == null) {
      return;
    }
    Path pdDir = dir.resolve("pd1");
    Files.createDirectories(pdDir);
    List<String> command = javaCommand();
    command.add("pd");
    command.add("--id=pd1");
    command.add("--peers=pd1=127.0.0.1:" + pd.raftPort());
    command.add("--port=" + pd.apiPort());
    command.add("--data-dir=" + pdDir.resolve("raft"));
    command.add("--parent-pid=" + ProcessHandle.current().pid());
    metricsAddress("pd1").ifPresent(a -> command.add("--http-port=" + metricsPorts.get("pd1")));
    command.addAll(pd.args());
    pdProcess = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(pdLogFile().toFile()))
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
  }

  private List<String> javaCommand() {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx" + heap);
    command.add("-cp");
    command.add(classpath);
    command.add(Pando.class.getName());
    return command;
  }

  Path logFile(int i) {
    return dir.resolve(members.get(i).id()).resolve("node.log");
  }

  Optional<Process> process(int i) {
    return Optional.ofNullable(processes[i]);
  }

  /** The PIDs of the node processes started so far, in member order: what a benchmark measures the CPU of. */
  List<Long> nodePids() {
    return java.util.Arrays.stream(processes).filter(java.util.Objects::nonNull).map(Process::pid).toList();
  }

  void start(int i) throws IOException {
    ClusterMember member = members.get(i);
    Path nodeDir = dir.resolve(member.id());
    Files.createDirectories(nodeDir);
    List<String> command = javaCommand();
    command.add("node");
    command.add("--id=" + member.id());
    command.add("--members=" + String.join(",", members.stream().map(ClusterMember::toString).toList()));
    command.add("--data-dir=" + nodeDir);
    command.add("--parent-pid=" + ProcessHandle.current().pid());
    if (pd != null) {
      command.add("--pd=" + pd.apiAddress());
    }
    metricsAddress(member.id()).ifPresent(a -> command.add("--metrics-port=" + metricsPorts.get(member.id())));
    command.addAll(nodeArgs);
    processes[i] = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(i).toFile()))
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
  }

  /**
   * Starts every node and waits until each is ready, calling {@code onReady} with its index as it
   * becomes so. Stops them all if any fails to start.
   */
  void startAll(Duration readyTimeout, IntConsumer onReady) throws IOException, InterruptedException {
    try {
      startPd();
      for (int i = 0; i < members.size(); i++) {
        start(i);
      }
      for (int i = 0; i < members.size(); i++) {
        awaitReady(i, readyTimeout);
        onReady.accept(i);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Waits until node {@code i} answers a linearizable read, i.e. it is up and its probe range has a leader. */
  void awaitReady(int i, Duration timeout) throws InterruptedException {
    ClusterMember member = members.get(i);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (PandoClient client = PandoClient.connect(member.apiAddress(), Duration.ofSeconds(2))) {
      while (true) {
        Process p = processes[i];
        if (p != null && !p.isAlive()) {
          throw new IllegalStateException("node " + member.id() + " exited with code " + p.exitValue()
              + "; see " + logFile(i));
        }
        try {
          client.get(Values.utf8("pando-ready-probe-" + member.id()));
          return;
        } catch (PandoException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("node " + member.id() + " not ready after " + timeout.toSeconds()
                + "s (" + e.getMessage() + "); see " + logFile(i));
          }
          TimeUnit.MILLISECONDS.sleep(200);
        }
      }
    }
  }

  /** Waits until the node at {@code apiAddress} answers a linearizable read. */
  static void awaitServing(String apiAddress, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (PandoClient client = PandoClient.connect(apiAddress, Duration.ofSeconds(2))) {
      while (true) { // bounded by the deadline
        try {
          client.get(Values.utf8("pando-ready-probe"));
          return;
        } catch (PandoException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the node at " + apiAddress + " does not serve after "
                + timeout.toSeconds() + " s (" + e.getMessage() + ")");
          }
          TimeUnit.MILLISECONDS.sleep(200);
        }
      }
    }
  }

  /**
   * Waits until the placement driver sees {@code nodes} nodes UP, every range with a leader and
   * all its replicas, and no move running: a cluster said to be ready then serves without the
   * errors of ranges still electing or moving. Does nothing without a placement driver.
   */
  void awaitSettled(int nodes, Duration timeout) throws InterruptedException {
    if (pd == null) {
      return;
    }
    awaitSettled(pd.apiAddress(), nodes, timeout, pdLogFile() + " and the nodes' logs");
  }

  /** {@link #awaitSettled(int, Duration)} for the placement driver at {@code pdAddress}; {@code logs} say where to look if it does not settle. */
  static void awaitSettled(String pdAddress, int nodes, Duration timeout, String logs) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder.forTarget(pdAddress).usePlaintext().build();
    try {
      String waitingFor = "the placement driver to answer";
      while (true) {
        try {
          var admin = pando.v1.AdminGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS);
          pando.v1.StatusResponse status = admin.status(pando.v1.StatusRequest.getDefaultInstance());
          pando.v1.ListRangesResponse ranges = admin.listRanges(pando.v1.ListRangesRequest.getDefaultInstance());
          long leaderless = ranges.getRangesList().stream()
              .filter(r -> r.getReplicasList().stream().noneMatch(pando.v1.ReplicaInfo::getLeader)).count();
          waitingFor = status.getNodesUp() + " of " + nodes + " nodes up, " + leaderless + " of "
              + status.getRanges() + " ranges without a leader, " + status.getUnderReplicated()
              + " under-replicated, " + status.getOperators() + " moves running";
          if (ranges.getBootstrapped() && status.getNodesUp() == nodes && leaderless == 0
              && status.getUnderReplicated() == 0 && status.getOperators() == 0) {
            return;
          }
        } catch (io.grpc.StatusRuntimeException e) {
          waitingFor = "the placement driver (" + e.getStatus().getCode() + ")";
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the cluster did not settle in " + timeout.toSeconds() + " s (last seen: "
              + waitingFor + "); see " + logs);
        }
        TimeUnit.MILLISECONDS.sleep(200);
      }
    } finally {
      channel.shutdownNow();
    }
  }

  /** Stops every node: SIGTERM, then SIGKILL for any that does not exit in time. */
  @Override
  public void close() {
    List<Process> all = new ArrayList<>(java.util.Arrays.asList(processes));
    all.add(pdProcess); // last: nodes stop heartbeating before the PD goes
    stop(all);
  }

  /** SIGTERM to each process (nulls skipped), then SIGKILL for any still running after a while. */
  static void stop(List<Process> all) {
    for (Process p : all) {
      if (p != null) {
        p.destroy();
      }
    }
    for (Process p : all) {
      if (p == null) {
        continue;
      }
      try {
        if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  void printTable(PrintWriter out) {
    out.printf("%-4s %-17s %-17s %-17s %-8s %s%n", "node", "api", "raft", "metrics", "pid", "log");
    for (int i = 0; i < members.size(); i++) {
      ClusterMember m = members.get(i);
      String pid = process(i).map(p -> String.valueOf(p.pid())).orElse("-");
      out.printf("%-4s %-17s %-17s %-17s %-8s %s%n", m.id(), m.apiAddress(), m.raftAddress(),
          metricsAddress(m.id()).orElse("-"), pid, logFile(i));
    }
    if (pd != null) {
      String pid = pdProcess().map(p -> String.valueOf(p.pid())).orElse("-");
      out.printf("%-4s %-17s %-17s %-17s %-8s %s%n", "pd1", pd.apiAddress(), "127.0.0.1:" + pd.raftPort(),
          metricsAddress("pd1").orElse("-"), pid, pdLogFile());
    }
    out.flush();
  }
}
