package pando.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A cluster whose processes each run in a network namespace of their own, joined by a bridge, so
 * that links between them can be cut one by one while the test, outside every namespace, still
 * reaches each node. A placement driver (address {@code .10}) and nodes {@code n1..} (addresses
 * {@code .11..}) run from the packaged jar, on the same ports in their own namespaces.
 *
 * <p>Cutting drops packets silently, as a real partition does (nftables rules in both ends'
 * namespaces): connections are not refused, they stall. Needs root, {@code ip} (iproute2) and
 * {@code nft} (nftables; {@link #installNftIfMissing} installs it from Debian).
 *
 * <p>{@link #close} stops every process it started (by PID) and removes every namespace, link
 * and bridge it made, also when a start failed half way.
 */
final class NetNsCluster implements AutoCloseable {
  static final int API_PORT = 7001;
  static final int RAFT_PORT = 7101;
  static final int PD_PORT = 7200;
  static final int PD_RAFT_PORT = 7201;
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  private final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
  private final String subnet;
  private final Path dir;
  private final String classpath;
  private final int nodes;
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> hostLinks = new ArrayList<>();
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final Set<String> cut = new HashSet<>();
  private boolean bridgeMade;

  private final Map<String, List<String>> commands = new LinkedHashMap<>();
  private final Set<String> paused = new HashSet<>();

  /**
   * Makes the network (bridge, one namespace per process); starts nothing yet.
   *
   * @param classpath where the processes find Pando (the packaged jar, or this process's class path)
   */
  NetNsCluster(Path dir, int nodes, String classpath) throws IOException, InterruptedException {
    this.dir = dir;
    this.classpath = classpath;
    this.nodes = nodes;
    this.subnet = "10." + (200 + ThreadLocalRandom.current().nextInt(50)) + "." + ThreadLocalRandom.current().nextInt(256);
    try {
      ensureNft();
      run("ip", "link", "add", "name", bridge(), "type", "bridge");
      bridgeMade = true;
      run("ip", "addr", "add", subnet + ".1/24", "dev", bridge());
      run("ip", "link", "set", bridge(), "up");
      addNamespace("pd");
      for (int i = 1; i <= nodes; i++) {
        addNamespace("n" + i);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** True if this machine can run such a cluster: root, and the ip command. */
  static boolean supported() {
    try {
      Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0
          && "root".equals(System.getProperty("user.name"));
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private String bridge() {
    return "pb" + tag;
  }

  private String namespace(String process) {
    return "pando-" + tag + "-" + process;
  }

  /** The address of {@code process} ({@code pd} or a node id) on the bridge. */
  String address(String process) {
    return subnet + "." + (process.equals("pd") ? 10 : 10 + Integer.parseInt(process.substring(1)));
  }

  String apiAddress(String node) {
    return address(node) + ":" + API_PORT;
  }

  String pdAddress() {
    return address("pd") + ":" + PD_PORT;
  }

  private void addNamespace(String process) throws IOException, InterruptedException {
    String ns = namespace(process);
    String host = "pv" + tag + index(process);
    String inside = "pn" + tag + index(process);
    run("ip", "netns", "add", ns);
    namespaces.add(ns);
    run("ip", "link", "add", host, "type", "veth", "peer", "name", inside);
    hostLinks.add(host);
    run("ip", "link", "set", inside, "netns", ns);
    run("ip", "link", "set", host, "master", bridge());
    run("ip", "link", "set", host, "up");
    run("ip", "netns", "exec", ns, "ip", "addr", "add", address(process) + "/24", "dev", inside);
    run("ip", "netns", "exec", ns, "ip", "link", "set", inside, "up");
    run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
    run("ip", "netns", "exec", ns, "nft", "add", "table", "inet", "pando");
    run("ip", "netns", "exec", ns, "nft", "add", "chain", "inet", "pando", "in",
        "{ type filter hook input priority 0; }");
    run("ip", "netns", "exec", ns, "nft", "add", "chain", "inet", "pando", "out",
        "{ type filter hook output priority 0; }");
  }

  private static String index(String process) {
    return process.equals("pd") ? "0" : process.substring(1);
  }

  /** Starts the placement driver with {@code pdArgs}, then every node; returns once all answer. */
  void start(List<String> pdArgs) throws IOException, InterruptedException {
    List<String> pd = java("pd");
    pd.addAll(List.of("pd", "--id=pd1", "--peers=pd1=" + address("pd") + ":" + PD_RAFT_PORT, "--host=" + address("pd"),
        "--port=" + PD_PORT, "--data-dir=" + dir.resolve("pd1"), "--initial-nodes=" + nodes,
        "--parent-pid=" + ProcessHandle.current().pid()));
    pd.addAll(pdArgs);
    launch("pd", pd);
    List<String> members = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      members.add("n" + i + "=" + address("n" + i) + ":" + RAFT_PORT + ":" + API_PORT);
    }
    for (int i = 1; i <= nodes; i++) {
      String id = "n" + i;
      List<String> node = java(id);
      node.addAll(List.of("node", "--id=" + id, "--members=" + String.join(",", members),
          "--data-dir=" + dir.resolve(id), "--pd=" + pdAddress(), "--parent-pid=" + ProcessHandle.current().pid()));
      launch(id, node);
    }
  }

  private List<String> java(String process) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace(process),
        ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-cp", classpath, Pando.class.getName()));
    return command;
  }

  private void launch(String process, List<String> command) throws IOException {
    Files.createDirectories(dir);
    commands.put(process, command);
    // 'ip netns exec' execs the command in place, so this PID is the JVM's own.
    processes.put(process, new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile(process).toFile()))
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .start());
  }

  Path logFile(String process) {
    return dir.resolve(process + ".log");
  }

  /** Drops every packet between {@code a} and {@code b}, both ways, until {@link #heal}. */
  void cut(String a, String b) throws IOException, InterruptedException {
    if (!cut.add(a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a)) {
      return;
    }
    drop(a, b);
    drop(b, a);
  }

  /** Cuts {@code process} off from every other process of the cluster; the test still reaches it. */
  void isolate(String process) throws IOException, InterruptedException {
    for (String other : others(process)) {
      cut(process, other);
    }
  }

  private List<String> others(String process) {
    List<String> all = new ArrayList<>(List.of("pd"));
    for (int i = 1; i <= nodes; i++) {
      all.add("n" + i);
    }
    all.remove(process);
    return all;
  }

  private void drop(String at, String peer) throws IOException, InterruptedException {
    String ns = namespace(at);
    run("ip", "netns", "exec", ns, "nft", "add", "rule", "inet", "pando", "in", "ip", "saddr", address(peer), "drop");
    run("ip", "netns", "exec", ns, "nft", "add", "rule", "inet", "pando", "out", "ip", "daddr", address(peer), "drop");
  }

  /** The node ids, n1 to n{count}. */
  List<String> nodeIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= nodes; i++) {
      ids.add("n" + i);
    }
    return ids;
  }

  /** Kills {@code process} with SIGKILL and waits until it is gone. */
  void kill(String process) throws InterruptedException {
    Process p = processes.get(process);
    p.destroyForcibly();
    if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(process + " (pid " + p.pid() + ") did not die of SIGKILL");
    }
    paused.remove(process);
  }

  /** Starts a killed {@code process} again with the command it was first started with. */
  void restart(String process) throws IOException {
    if (processes.get(process).isAlive()) {
      throw new IllegalStateException(process + " is still running");
    }
    launch(process, commands.get(process));
  }

  /** Stops {@code process} with SIGSTOP: it keeps its sockets and state but does nothing. */
  void pause(String process) throws IOException, InterruptedException {
    run("kill", "-STOP", String.valueOf(processes.get(process).pid()));
    paused.add(process);
  }

  /** Lets a paused {@code process} go on (SIGCONT). */
  void resume(String process) throws IOException, InterruptedException {
    run("kill", "-CONT", String.valueOf(processes.get(process).pid()));
    paused.remove(process);
  }

  /** Removes every cut. */
  void heal() throws IOException, InterruptedException {
    for (String ns : namespaces) {
      run("ip", "netns", "exec", ns, "nft", "flush", "chain", "inet", "pando", "in");
      run("ip", "netns", "exec", ns, "nft", "flush", "chain", "inet", "pando", "out");
    }
    cut.clear();
  }

  private static boolean hasNft() throws IOException, InterruptedException {
    return new ProcessBuilder("sh", "-c", "command -v nft").start().waitFor() == 0;
  }

  private static void ensureNft() throws IOException, InterruptedException {
    if (!hasNft()) {
      throw new IOException("the nft command is missing: install nftables (Debian: apt-get install nftables)");
    }
  }

  /** Installs nftables from Debian if the nft command is missing; for test setups. */
  static void installNftIfMissing() throws IOException, InterruptedException {
    if (!hasNft()) {
      run("sh", "-c", "DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive"
          + " apt-get install -y -qq nftables");
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + String.join(" ", command));
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + output);
    }
  }

  @Override
  public void close() {
    for (String process : List.copyOf(paused)) {
      try {
        resume(process); // a stopped JVM cannot act on SIGTERM
      } catch (IOException e) {
        System.err.println("NetNsCluster cleanup: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    LocalCluster.stop(new ArrayList<>(processes.values()));
    for (String link : hostLinks) {
      quietly("ip", "link", "del", link);
    }
    for (String ns : namespaces) {
      quietly("ip", "netns", "del", ns);
    }
    if (bridgeMade) {
      quietly("ip", "link", "del", bridge());
    }
  }

  private static void quietly(String... command) {
    try {
      run(command);
    } catch (IOException e) {
      System.err.println("NetNsCluster cleanup: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
