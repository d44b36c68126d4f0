package pando.cli;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
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
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import com.google.protobuf.ByteString;
import pando.api.KeyHash;
import pando.client.KvClient;
import pando.client.PandoClient;
import pando.client.RoutingClient;
import pando.maelstrom.check.Event;
import pando.maelstrom.check.HistoryJson;
import pando.maelstrom.check.Kind;
import pando.maelstrom.check.LinearizabilityChecker;
import pando.maelstrom.check.OutcomeTally;
import pando.maelstrom.check.Result;
import pando.maelstrom.check.StaleReads;
import pando.maelstrom.check.Verdict;
import pando.maelstrom.harness.HistoryRecorder;
import pando.maelstrom.harness.ProcessIds;
import pando.maelstrom.harness.Workload;
import pando.v1.AddHotKeyRequest;
import pando.v1.AdminGrpc;
import pando.v1.HotKey;
import pando.v1.ListRangesRequest;
import pando.v1.MoveReplicaRequest;
import pando.v1.RangeInfo;
import pando.v1.ReadConsistency;
import pando.v1.RemoveHotKeyRequest;
import pando.v1.ReplicaInfo;
import pando.v1.SplitRangeAdminRequest;
import pando.v1.TransferLeaderRequest;

/**
 * One Jepsen-style check of a real cluster: a placement driver and {@code pando node} processes,
 * each in a network namespace of its own ({@link NetNsCluster}); clients that send reads, writes
 * and compare-and-sets of a few registers, half through the routing client and half through a node
 * chosen at random for each operation; and the seeded faults of a {@link CheckPlan}. The history is
 * written as JSON lines and decided by the linearizability checker; a history the checker cannot
 * decide within its budget is reported as undecided.
 *
 * <p>Every process, namespace and thread started here is stopped before {@link #run} returns.
 */
final class ClusterCheck {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
  static final Duration ADMIN_DEADLINE = Duration.ofSeconds(15);
  static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
  static final int MAX_OPS = 1_000_000;

  /**
   * What to run.
   *
   * @param staleReads read with STALE consistency: an unsafe mode the check must catch
   * @param classpath where the cluster's processes find Pando
   */
  record Config(long seed, int nodes, int clients, int keys, Duration duration, Duration requestTimeout,
      Duration checkBudgetPerKey, Set<CheckPlan.Kind> faults, boolean staleReads, Path dir, String classpath) {}

  /**
   * What one run found.
   *
   * @param staleReads reads that returned a value overwritten before they began ({@link StaleReads}): none
   *     is allowed even where linearizability is not promised (a salted read-hot key)
   * @param counts completed operations by kind and outcome (ok, fail, info)
   * @param faults every fault begun, with {@code FAILED: why} for those the cluster refused
   * @param errors failed operations by kind, status code and the start of the description
   */
  record Report(long seed, Verdict verdict, Result check, List<String> staleReads,
      Map<Kind, Map<Event.Type, Long>> counts, List<String> faults, Map<String, Long> errors, Path history) {
    long total(Event.Type type) {
      return counts.values().stream().mapToLong(m -> m.getOrDefault(type, 0L)).sum();
    }

    long totalOps() {
      return counts.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue).sum();
    }
  }

  private final Config config;
  private final PrintStream out;
  private final List<String> faultLog = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, AtomicLong> errors = Collections.synchronizedMap(new TreeMap<>());
  private final OutcomeTally tally = new OutcomeTally();
  private volatile long startNanos;

  private ClusterCheck(Config config, PrintStream out) {
    this.config = config;
    this.out = out;
  }

  /** Runs one check, printing progress to {@code out}. */
  static Report run(Config config, PrintStream out) throws Exception {
    return new ClusterCheck(config, out).execute();
  }

  private Report execute() throws Exception {
    Path dir = config.dir().toAbsolutePath();
    if (Files.isDirectory(dir.resolve("cluster"))) {
      throw new IllegalArgumentException(dir + " already holds a check's cluster; choose another --dir");
    }
    Files.createDirectories(dir);
    List<String> nodes = new ArrayList<>();
    for (int i = 1; i <= config.nodes(); i++) {
      nodes.add("n" + i);
    }
    List<CheckPlan.Fault> plan = CheckPlan.generate(config.seed(), nodes, config.duration(),
        CheckPlan.Options.defaults(config.faults()));
    out.printf("check: %d nodes and a placement driver, %d clients, %d keys, %d s, seed %d, reads %s, output %s%n",
        config.nodes(), config.clients(), config.keys(), config.duration().toSeconds(), config.seed(),
        config.staleReads() ? "STALE (unsafe: the check should fail)" : "linearizable", dir);
    out.println("faults planned: " + plan.size() + plan.stream().map(f -> "\n  " + f).reduce("", String::concat));
    HistoryRecorder history = new HistoryRecorder(MAX_OPS);
    try (NetNsCluster cluster = new NetNsCluster(dir.resolve("cluster"), config.nodes(), config.classpath())) {
      cluster.start(List.of()); // the PD's defaults, as under pando local: 8 ranges, the scheduler on
      for (String node : nodes) {
        LocalCluster.awaitServing(cluster.apiAddress(node), READY_TIMEOUT);
      }
      LocalCluster.awaitSettled(cluster.pdAddress(), config.nodes(), READY_TIMEOUT, "the logs in " + dir.resolve("cluster"));
      out.println("cluster ready (logs in " + dir.resolve("cluster") + ")");
      runWorkload(cluster, nodes, plan, history);
    }
    Path historyFile = dir.resolve("history.jsonl");
    List<Event> events = history.events();
    HistoryJson.write(events, historyFile);
    out.println("checking " + events.size() + " events...");
    Result result = new LinearizabilityChecker().check(history.history(), config.checkBudgetPerKey());
    Map<String, Long> errorCounts = new LinkedHashMap<>();
    errors.forEach((k, v) -> errorCounts.put(k, v.get()));
    Report report = new Report(config.seed(), result.verdict(), result, StaleReads.find(history.history()),
        OutcomeTally.byKind(events), List.copyOf(faultLog), errorCounts, historyFile);
    printSummary(report);
    return report;
  }

  // ---------------------------------------------------------------- workload

  private void runWorkload(NetNsCluster cluster, List<String> nodes, List<CheckPlan.Fault> plan,
      HistoryRecorder history) throws Exception {
    Workload workload = new Workload(config.seed(), config.keys(), Workload.Mix.defaults());
    ProcessIds processIds = new ProcessIds();
    ReadConsistency reads = config.staleReads() ? ReadConsistency.STALE : ReadConsistency.LINEARIZABLE;
    Map<String, PandoClient> viaNode = new LinkedHashMap<>();
    ExecutorService threads = Executors.newFixedThreadPool(config.clients() + 1, r -> {
      Thread t = new Thread(r, "check");
      t.setDaemon(true);
      return t;
    });
    try (RoutingClient routing = RoutingClient.connect(List.of(cluster.pdAddress()), config.requestTimeout());
        Faults faults = new Faults(cluster, nodes)) {
      for (String node : nodes) {
        viaNode.put(node, PandoClient.connect(cluster.apiAddress(node), config.requestTimeout()));
      }
      startNanos = System.nanoTime();
      long end = startNanos + config.duration().toNanos();
      List<Future<?>> clients = new ArrayList<>();
      for (int i = 0; i < config.clients(); i++) {
        Random choice = new Random(config.seed() * 1_000_003L + i);
        boolean routed = i % 2 == 0;
        CheckClient client = new CheckClient(history, processIds,
            () -> routed ? routing : viaNode.get(nodes.get(choice.nextInt(nodes.size()))), reads);
        clients.add(threads.submit(() -> {
          while (System.nanoTime() - end < 0) { // bounded by the run's end; each op by the request timeout
            count(client.run(workload.next()));
          }
          return null;
        }));
      }
      Future<?> faulter = threads.submit(() -> {
        faults.apply(plan);
        return null;
      });
      pando.maelstrom.run.RunWait.await(end, clients, faulter, PROGRESS_EVERY, () -> progress("ops"),
          config.requestTimeout().multipliedBy(3).plusSeconds(10), READY_TIMEOUT);
      progress("clients done");
    } finally {
      threads.shutdownNow();
      viaNode.values().forEach(PandoClient::close);
      if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
        out.println("warning: check threads did not stop within 30 s");
      }
    }
  }

  private void count(CheckClient.Completion c) {
    tally.count(c.event().type());
    c.error().ifPresent(e -> errors.computeIfAbsent(c.event().f().name().toLowerCase(Locale.ROOT) + " " + e.code()
        + " " + gist(e.getMessage()), k -> new AtomicLong()).incrementAndGet());
  }

  /** The start of an error's description, without the numbers that differ between occurrences. */
  static String gist(String message) {
    String m = String.valueOf(message).replaceAll("[0-9a-f]{16}", "<hash>").replaceAll("\\d+", "<n>");
    return m.length() <= 90 ? m : m.substring(0, 90) + "...";
  }

  // ---------------------------------------------------------------- faults

  /** Applies a plan's faults at their times, and undoes whatever is still in effect when closed. */
  private final class Faults implements AutoCloseable {
    private final NetNsCluster cluster;
    private final List<String> nodes;
    private final ManagedChannel pd;
    private final AdminGrpc.AdminBlockingStub admin;
    private final Random random = new Random(config.seed() ^ 0x5eedL);

    Faults(NetNsCluster cluster, List<String> nodes) {
      this.cluster = cluster;
      this.nodes = nodes;
      this.pd = ManagedChannelBuilder.forTarget(cluster.pdAddress()).usePlaintext().build();
      this.admin = AdminGrpc.newBlockingStub(pd);
    }

    private AdminGrpc.AdminBlockingStub admin() {
      return admin.withDeadlineAfter(ADMIN_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Begins each fault at its planned time or, if an earlier one ran late (a restart or an admin
     * call can take seconds), as soon as it can; ends it after its planned length. A fault that
     * could only begin inside the quiet tail is skipped.
     */
    void apply(List<CheckPlan.Fault> plan) throws InterruptedException {
      long lastBegin = startNanos + config.duration().toNanos() - CheckPlan.QUIET_TAIL.toNanos();
      for (CheckPlan.Fault fault : plan) {
        long due = Math.max(startNanos + fault.start().toNanos(), System.nanoTime());
        if (due - lastBegin > 0) {
          progress("skip  " + fault + " (earlier faults ran late)");
          faultLog.add("skipped: " + fault);
          continue;
        }
        sleepUntil(due);
        long began = System.nanoTime();
        String what = attempt("begin", fault, () -> begin(fault));
        faultLog.add(String.format(Locale.ROOT, "+%.1fs %s", (began - startNanos) / 1e9, what));
        progress(what);
        if (fault.kind().lasting()) {
          sleepUntil(began + fault.end().minus(fault.start()).toNanos());
          progress(attempt("end", fault, () -> end(fault)));
        }
      }
    }

    private void sleepUntil(long nanos) throws InterruptedException {
      long wait = nanos - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
    }

    private interface Action {
      String run() throws IOException, InterruptedException;
    }

    private String attempt(String step, CheckPlan.Fault fault, Action action) throws InterruptedException {
      try {
        return action.run();
      } catch (IOException | RuntimeException e) {
        return step + " " + fault.kind().optionName() + " FAILED: " + e.getMessage();
      }
    }

    private String begin(CheckPlan.Fault f) throws IOException, InterruptedException {
      switch (f.kind()) {
        case ISOLATE -> cluster.isolate(f.target());
        case PARTITION -> {
          for (String a : f.sideA()) {
            for (String b : f.sideB()) {
              cluster.cut(a, b);
            }
          }
        }
        case PAUSE -> cluster.pause(f.target());
        case KILL -> cluster.kill(f.target());
        case SPLIT -> {
          return split();
        }
        case MOVE -> {
          return move();
        }
        case TRANSFER_LEADER -> {
          return transferLeader();
        }
        case SALT -> {
          return salt(f);
        }
        default -> throw new AssertionError(f.kind());
      }
      return "begin " + f;
    }

    private String end(CheckPlan.Fault f) throws IOException, InterruptedException {
      switch (f.kind()) {
        case ISOLATE, PARTITION -> cluster.heal();
        case PAUSE -> cluster.resume(f.target());
        case KILL -> cluster.restart(f.target());
        case SALT -> {
          byte[] key = saltedKeys.remove(f);
          if (key == null) {
            return "end   salt: no key was salted";
          }
          admin().removeHotKey(RemoveHotKeyRequest.newBuilder().setKey(ByteString.copyFrom(key)).build());
          return "end   salt: unsalting " + new String(key, java.nio.charset.StandardCharsets.UTF_8);
        }
        default -> throw new AssertionError(f.kind());
      }
      return "end   " + f.kind().optionName() + " " + String.join(",", f.sideA());
    }

    private final Map<CheckPlan.Fault, byte[]> saltedKeys = new java.util.concurrent.ConcurrentHashMap<>();

    private int randomKey() {
      return random.nextInt(config.keys());
    }

    private List<RangeInfo> ranges() {
      return admin().listRanges(ListRangesRequest.getDefaultInstance()).getRangesList();
    }

    /** Splits the range of a random checked key at that key's hash (or the range's middle if it starts there). */
    private String split() {
      int key = randomKey();
      long hash = KeyHash.of(CheckClient.keyOf(key));
      for (RangeInfo r : ranges()) {
        long start = r.getRange().getStart();
        long end = r.getRange().getEnd();
        boolean holds = Long.compareUnsigned(hash, start) >= 0 && (end == 0 || Long.compareUnsigned(hash, end) < 0);
        if (holds) {
          long width = end - start; // unsigned; 0 for the whole space
          long at = hash != start ? hash : start + (width == 0 ? Long.MIN_VALUE : width >>> 1);
          var answer = admin().splitRange(SplitRangeAdminRequest.newBuilder().setRangeId(r.getRange().getRangeId())
              .setSplitHash(at).build());
          return "split range " + r.getRange().getRangeId() + " at key " + key + " into " + answer.getLeft().getRangeId()
              + " and " + answer.getRight().getRangeId();
        }
      }
      throw new IllegalStateException("no range holds key " + key);
    }

    private String move() {
      List<RangeInfo> ranges = new ArrayList<>(ranges());
      Collections.shuffle(ranges, random);
      for (RangeInfo r : ranges) {
        List<String> holders = r.getRange().getReplicasList();
        List<String> others = nodes.stream().filter(n -> !holders.contains(n)).toList();
        if (others.isEmpty() || holders.isEmpty()) {
          continue;
        }
        String from = holders.get(random.nextInt(holders.size()));
        String to = others.get(random.nextInt(others.size()));
        admin().moveReplica(MoveReplicaRequest.newBuilder().setRangeId(r.getRange().getRangeId()).setFromNode(from)
            .setToNode(to).build());
        return "move range " + r.getRange().getRangeId() + " from " + from + " to " + to;
      }
      throw new IllegalStateException("no range has a node without a replica of it");
    }

    private String transferLeader() {
      List<RangeInfo> ranges = ranges();
      RangeInfo r = ranges.get(random.nextInt(ranges.size()));
      List<String> followers = r.getReplicasList().stream().filter(x -> !x.getLeader()).map(ReplicaInfo::getNodeId)
          .toList();
      if (followers.isEmpty()) {
        throw new IllegalStateException("range " + r.getRange().getRangeId() + " has no follower");
      }
      String to = followers.get(random.nextInt(followers.size()));
      admin().transferLeader(TransferLeaderRequest.newBuilder().setRangeId(r.getRange().getRangeId()).setToNode(to)
          .build());
      return "transfer leader of range " + r.getRange().getRangeId() + " to " + to;
    }

    private String salt(CheckPlan.Fault f) {
      int key = randomKey();
      byte[] stored = CheckClient.keyOf(key);
      admin().addHotKey(AddHotKeyRequest.newBuilder().setKey(ByteString.copyFrom(stored)).setSalts(4)
          .setMode(HotKey.Mode.READ_HOT).build());
      saltedKeys.put(f, stored);
      return "salt key " + key + " as read-hot with 4 copies";
    }

    /** Heals, continues and restarts whatever a plan cut short left behind. */
    @Override
    public void close() {
      try {
        cluster.heal();
      } catch (IOException | RuntimeException e) {
        out.println("warning: could not heal the network: " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      pd.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- reporting

  private void progress(String what) {
    double t = (System.nanoTime() - startNanos) / 1e9;
    out.printf(Locale.ROOT, "[+%6.1fs] %s (%s)%n", t, what, tally.summary());
  }

  private void printSummary(Report r) {
    out.println("operations (ok / fail / info):");
    r.counts().forEach((kind, byType) -> out.printf(Locale.ROOT, "  %-5s %6d / %5d / %5d%n",
        kind.name().toLowerCase(Locale.ROOT), byType.get(Event.Type.OK), byType.get(Event.Type.FAIL),
        byType.get(Event.Type.INFO)));
    out.println("faults: " + r.faults().size() + r.faults().stream().map(f -> "\n  " + f).reduce("", String::concat));
    out.println("errors: " + (r.errors().isEmpty() ? "none" : ""));
    r.errors().forEach((what, n) -> out.printf(Locale.ROOT, "  %5d  %s%n", n, what));
    out.println("history: " + r.history());
    out.println("reads older than a write acknowledged before they began: " + r.staleReads().size()
        + r.staleReads().stream().limit(3).map(x -> "\n  " + x).reduce("", String::concat));
    out.println(r.check().describe());
    out.println("verdict: " + switch (r.verdict()) {
      case VALID -> "linearizable";
      case INVALID -> "NOT linearizable";
      case UNKNOWN -> "undecided (the checker ran out of budget; this is not a pass)";
    } + " (seed " + r.seed() + ")");
  }
}
