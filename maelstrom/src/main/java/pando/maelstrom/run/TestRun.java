package pando.maelstrom.run;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import pando.maelstrom.check.Event;
import pando.maelstrom.check.HistoryJson;
import pando.maelstrom.check.Kind;
import pando.maelstrom.check.LinearizabilityChecker;
import pando.maelstrom.check.OutcomeTally;
import pando.maelstrom.check.Result;
import pando.maelstrom.check.Verdict;
import pando.maelstrom.harness.Client;
import pando.maelstrom.harness.FaultSchedule;
import pando.maelstrom.harness.HistoryRecorder;
import pando.maelstrom.harness.Network;
import pando.maelstrom.harness.NodeInit;
import pando.maelstrom.harness.NodeProcess;
import pando.maelstrom.harness.ProcessEndpoint;
import pando.maelstrom.harness.ProcessIds;
import pando.maelstrom.harness.Workload;

/**
 * One Maelstrom-style {@code lin-kv} test run: node processes wired through a {@link Network},
 * seeded clients, a seeded {@link FaultSchedule} (or a scripted fault list), then the history is
 * written to {@code <outputDir>/history.jsonl} and checked for linearizability.
 *
 * <p>Every process and thread started here is stopped before {@link #run} returns.
 */
public final class TestRun {
  static final Duration INIT_TIMEOUT = Duration.ofSeconds(30);
  static final Duration FIRST_WRITE_TIMEOUT = Duration.ofSeconds(60);
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  static final int MAX_OPS = 1_000_000;
  /** The harness's own id for init messages; clients are c1, c2, ... */
  static final String HARNESS_ID = "c0";

  /**
   * What a run found.
   *
   * @param counts completed operations by kind and outcome (ok, fail, info)
   * @param faults the faults whose begin was applied, in order
   */
  public record RunResult(Verdict verdict, Result check, Map<Kind, Map<Event.Type, Long>> counts,
      List<FaultSchedule.Fault> faults, long seed, Path historyFile, Duration checkerTime) {

    public long total(Event.Type type) {
      return counts.values().stream().mapToLong(m -> m.getOrDefault(type, 0L)).sum();
    }

    public long totalOps() {
      return counts.values().stream().flatMap(m -> m.values().stream())
          .mapToLong(Long::longValue).sum();
    }

    public boolean hasFault(Class<? extends FaultSchedule.Disruption> type) {
      return faults.stream().anyMatch(f -> type.isInstance(f.disruption()));
    }
  }

  private final RunConfig config;
  private final PrintStream out;
  private final List<String> ids;
  private final Network network;
  private final Map<String, NodeProcess> processes = new LinkedHashMap<>();
  private final AtomicLong initMsgIds = new AtomicLong();
  private final ProcessIds processIds = new ProcessIds();
  private final List<FaultSchedule.Fault> applied = Collections.synchronizedList(new ArrayList<>());
  private final OutcomeTally tally = new OutcomeTally();
  private volatile long startNanos;
  /** Each completed operation with the node it went to, for {@code <outputDir>/ops.log}. */
  private final java.util.Queue<String> opsLog = new java.util.concurrent.ConcurrentLinkedQueue<>();

  private TestRun(RunConfig config, PrintStream out) {
    this.config = config;
    this.out = out;
    this.ids = config.nodeIds();
    this.network = new Network(Network.Config.defaults(config.seed()), new Network.Observer() {});
  }

  /** Runs the test described by {@code config}, printing progress to {@code out}. */
  public static RunResult run(RunConfig config, PrintStream out) throws Exception {
    return new TestRun(config, out).execute();
  }

  private RunResult execute() throws Exception {
    Path dir = config.outputDir().toAbsolutePath();
    Path data = dir.resolve("data");
    if (Files.isDirectory(data)) {
      try (var entries = Files.list(data)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException(data + " already holds a run's Raft data;"
              + " use another output directory");
        }
      }
    }
    Files.createDirectories(dir);
    HistoryRecorder history = new HistoryRecorder(MAX_OPS);
    List<FaultSchedule.Fault> faults = faultList();
    out.printf("lin-kv test: %d nodes, %d clients, %d s, seed %d, faults %s%s, output %s%n",
        config.nodes(), config.clients(), config.duration().toSeconds(), config.seed(),
        config.faults() ? "on" : "off",
        config.nodeArgs().isEmpty() ? "" : ", node args " + String.join(" ", config.nodeArgs()),
        dir);
    if (config.faults()) {
      out.println(config.scriptedFaults() != null
          ? "scripted faults: " + faults.size() + faults.stream().map(f -> "\n  " + f).reduce("", String::concat)
          : FaultSchedule.generate(config.seed(), ids, config.duration(), config.faultOptions()));
    }
    try {
      startCluster(dir);
      awaitWritable(history);
      runWorkload(history, faults);
    } finally {
      stopCluster();
    }
    Path historyFile = dir.resolve("history.jsonl");
    List<Event> events = history.events();
    HistoryJson.write(events, historyFile);
    Files.write(dir.resolve("ops.log"), opsLog);
    out.println("checking " + events.size() + " events...");
    Result result = new LinearizabilityChecker().check(history.history(),
        config.checkBudgetPerKey());
    RunResult run = new RunResult(result.verdict(), result, OutcomeTally.byKind(events), List.copyOf(applied),
        config.seed(), historyFile, result.elapsed());
    printSummary(run);
    return run;
  }

  private List<FaultSchedule.Fault> faultList() {
    if (!config.faults()) {
      return List.of();
    }
    if (config.scriptedFaults() != null) {
      return config.scriptedFaults();
    }
    return FaultSchedule.generate(config.seed(), ids, config.duration(), config.faultOptions())
        .faults();
  }

  // ---------------------------------------------------------------- cluster

  private void startCluster(Path dir) throws Exception {
    for (String id : ids) {
      List<String> command = new ArrayList<>(config.nodeCommand());
      command.addAll(List.of("--data-dir", dir.resolve("data").toString()));
      command.addAll(config.nodeArgs());
      NodeProcess p = new NodeProcess(id, command, dir.resolve(id + ".log"),
          line -> network.receiveLine(id, line));
      processes.put(id, p);
      network.register(id, new ProcessEndpoint(p));
    }
    network.start();
    for (NodeProcess p : processes.values()) {
      p.start();
    }
    for (String id : ids) {
      init(id);
    }
    out.println("nodes initialised: " + ids + " (logs in " + dir + "/<node>.log)");
  }

  /** Sends init as Maelstrom does and waits, bounded, for init_ok. */
  private void init(String node) throws InterruptedException {
    synchronized (initMsgIds) { // one init at a time owns the harness id
      NodeInit.init(network, HARNESS_ID, initMsgIds.incrementAndGet(), node, ids, INIT_TIMEOUT);
    }
  }

  /** Writes key 0 := 0 until one write succeeds, so that the run starts with a leader. */
  private void awaitWritable(HistoryRecorder history) throws InterruptedException {
    long deadline = System.nanoTime() + FIRST_WRITE_TIMEOUT.toNanos();
    try (Client client = new Client(network, history, processIds, config.clientTimeout())) {
      while (true) { // bounded by the deadline; each attempt by the client timeout
        Client.Completion c = client.write(ids.get(0), 0, 0);
        if (c.event().type() == Event.Type.OK) {
          count(c);
          return;
        }
        count(c);
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("no write succeeded within "
              + FIRST_WRITE_TIMEOUT.toSeconds() + " s: " + c.detail());
        }
        Thread.sleep(100);
      }
    }
  }

  private void stopCluster() {
    for (NodeProcess p : processes.values()) {
      p.close();
    }
    network.close();
  }

  // ---------------------------------------------------------------- workload and faults

  private void runWorkload(HistoryRecorder history, List<FaultSchedule.Fault> faults)
      throws Exception {
    Workload workload = new Workload(config.seed(), config.keys(), Workload.Mix.defaults());
    ExecutorService threads = Executors.newFixedThreadPool(config.clients() + 1, r -> {
      Thread t = new Thread(r, "lin-kv-run");
      t.setDaemon(true);
      return t;
    });
    startNanos = System.nanoTime();
    long end = startNanos + config.duration().toNanos();
    try {
      List<Future<?>> clients = new ArrayList<>();
      for (int i = 0; i < config.clients(); i++) {
        Random choice = new Random(config.seed() * 1_000_003L + i);
        clients.add(threads.submit(() -> {
          try (Client client = new Client(network, history, processIds,
              config.clientTimeout())) {
            while (System.nanoTime() - end < 0) { // bounded by the run's end
              String node = ids.get(choice.nextInt(ids.size()));
              Workload.Request request = workload.next();
              Client.Completion c;
              try {
                c = client.invoke(node, request);
              } catch (IllegalStateException full) {
                out.println("client stops: " + full.getMessage());
                return null;
              }
              count(c);
              opsLog.add(c.event() + " via " + node + (c.event().type() == Event.Type.OK ? ""
                  : " (" + c.detail().strip() + ")"));
              if (!config.thinkTime().isZero()) {
                Thread.sleep(config.thinkTime().toMillis());
              }
            }
          }
          return null;
        }));
      }
      Future<?> faulter = threads.submit(() -> {
        applyFaults(faults);
        return null;
      });
      RunWait.await(end, clients, faulter, PROGRESS_EVERY, () -> progress("ops"),
          config.clientTimeout().plusSeconds(10), INIT_TIMEOUT.multipliedBy(4));
      progress("clients done");
    } finally {
      threads.shutdownNow();
      if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
        out.println("warning: run threads did not stop within 30 s");
      }
    }
  }

  private void applyFaults(List<FaultSchedule.Fault> faults) throws InterruptedException {
    Target target = new Target();
    List<FaultSchedule.Step> steps = new ArrayList<>();
    for (FaultSchedule.Fault f : faults) {
      steps.add(new FaultSchedule.Step(f.start(), f, true));
      steps.add(new FaultSchedule.Step(f.end(), f, false));
    }
    steps.sort((a, b) -> a.at().compareTo(b.at()));
    // A slow step (a restart waits for init_ok) shifts the later ones, so that each fault keeps
    // its length; a fault that would then begin inside the quiet tail is skipped.
    long lastBegin = startNanos + config.duration().toNanos()
        - config.faultOptions().quietTail().toNanos();
    long shift = 0;
    Set<FaultSchedule.Fault> skipped = new java.util.HashSet<>();
    for (FaultSchedule.Step step : steps) {
      if (skipped.contains(step.fault())) {
        continue;
      }
      long due = startNanos + step.at().toNanos() + shift;
      if (step.begin() && due - lastBegin > 0) {
        skipped.add(step.fault());
        progress("skip  " + step.fault().disruption() + " (earlier faults ran late)");
        continue;
      }
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      String what = (step.begin() ? "begin " : "end   ") + step.fault().disruption();
      try {
        step.apply(target);
        if (step.begin()) {
          applied.add(step.fault());
        }
        progress(what);
      } catch (InterruptedException e) {
        throw e;
      } catch (Exception e) {
        progress(what + " FAILED: " + e);
      }
      shift += Math.max(0, System.nanoTime() - due - TimeUnit.MILLISECONDS.toNanos(100));
    }
  }

  /** Faults act on the network and the node processes. */
  private final class Target implements FaultSchedule.Target {
    @Override
    public void partition(Set<String> sideA, Set<String> sideB) {
      network.partition(sideA, sideB);
    }

    @Override
    public void heal() {
      network.heal();
    }

    @Override
    public void delay(Duration min, Duration max) {
      network.delay(min, max);
    }

    @Override
    public void clearDelay() {
      network.clearDelay();
    }

    @Override
    public void pause(String node) throws Exception {
      processes.get(node).pause();
    }

    @Override
    public void resume(String node) throws Exception {
      processes.get(node).resume();
    }

    @Override
    public void kill(String node) throws Exception {
      processes.get(node).kill();
    }

    @Override
    public void restart(String node) throws Exception {
      processes.get(node).restart();
      init(node); // a fresh process knows nothing until Maelstrom's init
    }
  }

  // ---------------------------------------------------------------- reporting

  private void count(Client.Completion c) {
    tally.count(c.event().type());
  }

  private void progress(String what) {
    double t = (System.nanoTime() - startNanos) / 1e9;
    out.printf(Locale.ROOT, "[+%6.1fs] %s (%s)%n", t, what, tally.summary());
  }

  private void printSummary(RunResult r) {
    out.println();
    out.printf("operations: %d (ok %d, fail %d, info %d)%n", r.totalOps(), r.total(Event.Type.OK),
        r.total(Event.Type.FAIL), r.total(Event.Type.INFO));
    r.counts().forEach((kind, m) -> out.printf("  %-6s ok %6d  fail %6d  info %6d%n",
        kind.wireName(), m.get(Event.Type.OK), m.get(Event.Type.FAIL), m.get(Event.Type.INFO)));
    Map<String, Integer> byKind = new LinkedHashMap<>();
    for (FaultSchedule.Fault f : r.faults()) {
      String label = f.disruption() instanceof FaultSchedule.Partition p
          ? p.kind().name().toLowerCase(Locale.ROOT).replace('_', '-')
          : f.disruption().getClass().getSimpleName().toLowerCase(Locale.ROOT);
      byKind.merge(label, 1, Integer::sum);
    }
    out.println("faults injected: " + r.faults().size() + (byKind.isEmpty() ? "" : " " + byKind));
    out.println("verdict: " + r.verdict() + " (checker " + r.checkerTime().toMillis() + " ms, "
        + r.check().opsChecked() + " ops on " + r.check().keys().size() + " keys)");
    if (r.verdict() != Verdict.VALID) {
      out.print(r.check().describe());
    }
    out.println("seed: " + r.seed() + " (replay with --seed " + r.seed() + ")");
    out.println("history: " + r.historyFile() + " (with the node of each op: "
        + r.historyFile().resolveSibling("ops.log") + ")");
  }
}
