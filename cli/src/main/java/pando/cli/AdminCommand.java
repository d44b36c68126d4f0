package pando.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import pando.api.pd.PdConnection;
import pando.v1.AdminGrpc;
import pando.v1.DrainRequest;
import pando.v1.DrainResponse;
import pando.v1.GetRangeRequest;
import pando.v1.RemoveNodeRequest;
import pando.v1.SplitRangeAdminRequest;
import pando.v1.SplitRangeAdminResponse;
import pando.v1.ListOperatorsRequest;
import pando.v1.ListOperatorsResponse;
import pando.v1.MoveReplicaRequest;
import pando.v1.OperatorInfo;
import pando.v1.TransferLeaderRequest;
import pando.v1.ListRangesRequest;
import pando.v1.ListRangesResponse;
import pando.v1.Range;
import pando.v1.RangeInfo;
import pando.v1.ReplicaInfo;
import pando.v1.ListNodesRequest;
import pando.v1.ListNodesResponse;
import pando.v1.NodeInfo;
import pando.v1.StatusRequest;
import pando.v1.StatusResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    description = "Asks the placement driver about the cluster.",
    subcommands = {AdminCommand.Status.class, AdminCommand.Nodes.class, AdminCommand.Ranges.class,
        AdminCommand.RangeCommand.class, AdminCommand.Move.class, AdminCommand.TransferLeader.class,
        AdminCommand.Operators.class, AdminCommand.Drain.class, AdminCommand.Remove.class,
        AdminCommand.Split.class, HotKeysCommand.class, TopCommand.class})
final class AdminCommand {
  /** Options every admin command takes. */
  static final class PdOptions {
    @Option(names = "--pd", split = ",", paramLabel = "host:port", defaultValue = "127.0.0.1:7200",
        description = "The placement driver's replicas (default: ${DEFAULT-VALUE}, the one 'pando local' starts).")
    List<String> pd;

    @Option(names = "--timeout", defaultValue = "5s", description = "Give up after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    PdConnection connect() {
      return new PdConnection(pd.stream().flatMap(a -> PdConnection.parseAddresses(a).stream()).toList());
    }

    AdminGrpc.AdminBlockingStub admin(io.grpc.Channel channel) {
      return AdminGrpc.newBlockingStub(channel).withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "The cluster at a glance: PD leader, nodes by state, number of ranges.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PdOptions options;

    @Override
    public Integer call() {
      StatusResponse s;
      try (PdConnection pd = options.connect()) {
        s = pd.call(c -> options.admin(c).status(StatusRequest.getDefaultInstance()));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        JsonObject o = new JsonObject();
        o.addProperty("pd_leader", s.getPdLeaderId());
        o.addProperty("nodes_up", s.getNodesUp());
        o.addProperty("nodes_suspect", s.getNodesSuspect());
        o.addProperty("nodes_down", s.getNodesDown());
        o.addProperty("ranges", s.getRanges());
        o.addProperty("under_replicated", s.getUnderReplicated());
        o.addProperty("operators", s.getOperators());
        out.println(new GsonBuilder().setPrettyPrinting().create().toJson(o));
      } else {
        out.printf("pd leader:  %s%n", s.getPdLeaderId());
        out.printf("nodes:      %d up, %d suspect, %d down%n", s.getNodesUp(), s.getNodesSuspect(), s.getNodesDown());
        out.printf("ranges:     %d (%d under-replicated)%n", s.getRanges(), s.getUnderReplicated());
        out.printf("operators:  %d running%n", s.getOperators());
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "nodes", mixinStandardHelpOptions = true,
      description = {"Every registered node with its state and replicas.",
          "UP: heartbeats arrive; SUSPECT: silent longer than the PD's --suspect-after (3 s by default);"
              + " DOWN: silent longer than --down-after (10 s by default)."})
  static final class Nodes implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PdOptions options;

    @Override
    public Integer call() {
      ListNodesResponse r;
      try (PdConnection pd = options.connect()) {
        r = pd.call(c -> options.admin(c).listNodes(ListNodesRequest.getDefaultInstance()));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        JsonArray nodes = new JsonArray();
        for (NodeInfo n : r.getNodesList()) {
          JsonObject o = new JsonObject();
          o.addProperty("id", n.getNodeId());
          o.addProperty("api", n.getApiAddress());
          o.addProperty("raft", n.getRaftAddress());
          o.addProperty("state", n.getState().name());
          o.addProperty("draining", n.getDraining());
          o.addProperty("replicas_in_table", n.getReplicasInTable());
          o.addProperty("last_heartbeat_age_ms", n.getLastHeartbeatAgeMs());
          o.addProperty("replicas", n.getReplicas());
          o.addProperty("leaders", n.getLeaders());
          o.addProperty("keys", n.getKeys());
          o.addProperty("bytes", n.getBytes());
          nodes.add(o);
        }
        out.println(new GsonBuilder().setPrettyPrinting().create().toJson(nodes));
      } else {
        TextTable table = new TextTable("node", "state", "api", "raft", "heartbeat", "replicas", "leaders", "keys", "bytes");
        for (NodeInfo n : r.getNodesList()) {
          table.row(n.getNodeId(), n.getState().name() + (n.getDraining() ? " draining" : ""),
              n.getApiAddress(), n.getRaftAddress(),
              n.getLastHeartbeatAgeMs() < 0 ? "never" : n.getLastHeartbeatAgeMs() + " ms ago",
              String.valueOf(n.getReplicas()), String.valueOf(n.getLeaders()),
              String.valueOf(n.getKeys()), String.valueOf(n.getBytes()));
        }
        table.print(out);
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "ranges", mixinStandardHelpOptions = true,
      description = "Every range: its slice of the hash space, epoch, replicas and leader.")
  static final class Ranges implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PdOptions options;

    @Override
    public Integer call() {
      ListRangesResponse r;
      try (PdConnection pd = options.connect()) {
        r = pd.call(c -> options.admin(c).listRanges(ListRangesRequest.getDefaultInstance()));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        JsonArray ranges = new JsonArray();
        r.getRangesList().forEach(info -> ranges.add(RangeJson.of(info)));
        out.println(new GsonBuilder().setPrettyPrinting().create().toJson(ranges));
      } else if (!r.getBootstrapped()) {
        out.println("no ranges yet: the placement driver creates them once enough nodes have registered"
            + " (see 'pando admin nodes')");
      } else {
        TextTable table = new TextTable("range", "start", "end", "epoch", "leader", "replicas");
        for (RangeInfo info : r.getRangesList()) {
          Range range = info.getRange();
          table.row(String.valueOf(range.getRangeId()), RangeJson.hex(range.getStart()),
              range.getEnd() == 0 ? "end" : RangeJson.hex(range.getEnd()),
              range.getEpoch().getVersion() + "." + range.getEpoch().getConfVersion(),
              range.getLeader().isEmpty() ? "?" : range.getLeader(), String.join(",", range.getReplicasList()));
        }
        table.print(out);
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "move", mixinStandardHelpOptions = true,
      description = {"Moves one replica of a range to another node: the new replica is added and caught up"
          + " before the old one is removed.",
          "Prints a line per step and returns when the move is done (or at once with --no-wait)."})
  static final class Move implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PdOptions options;

    @picocli.CommandLine.Parameters(paramLabel = "RANGE_ID", description = "The range's id (see 'pando admin ranges').")
    long rangeId;

    @Option(names = "--from", required = true, paramLabel = "NODE", description = "The node whose replica moves.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "NODE", description = "The node that gets the replica.")
    String to;

    @Option(names = "--no-wait", description = "Return once the move is recorded.")
    boolean noWait;

    @Option(names = "--wait-max", defaultValue = "10m",
        description = "Give up waiting for the move after this long (default: ${DEFAULT-VALUE}); the move goes on.")
    Duration waitMax;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      try (PdConnection pd = options.connect()) {
        OperatorInfo op = pd.call(c -> options.admin(c).moveReplica(MoveReplicaRequest.newBuilder()
            .setRangeId(rangeId).setFromNode(from).setToNode(to).build()));
        out.printf("operator %d: move range %d from %s to %s%n", op.getOperatorId(), rangeId, from, to);
        out.flush();
        if (noWait) {
          return 0;
        }
        return Operators.await(pd, options, List.of(op.getOperatorId()), waitMax, out) ? 0 : 1;
      }
    }
  }

  @Command(name = "transfer-leader", mixinStandardHelpOptions = true,
      description = "Makes another replica of a range its leader.")
  static final class TransferLeader implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PdOptions options;

    @picocli.CommandLine.Parameters(paramLabel = "RANGE_ID", description = "The range's id (see 'pando admin ranges').")
    long rangeId;

    @Option(names = "--to", required = true, paramLabel = "NODE", description = "The replica's node that should lead.")
    String to;

    @Override
    public Integer call() {
      try (PdConnection pd = options.connect()) {
        pd.call(c -> AdminGrpc.newBlockingStub(c).withDeadlineAfter(
                Math.max(options.timeout.toMillis(), 20_000), TimeUnit.MILLISECONDS)
            .transferLeader(TransferLeaderRequest.newBuilder().setRangeId(rangeId).setToNode(to).build()));
      }
      spec.commandLine().getOut().printf("range %d is led by %s%n", rangeId, to);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "operators", mixinStandardHelpOptions = true,
      description = "The replica moves the placement driver is carrying out, with the step each waits for.")
  static final class Operators implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PdOptions options;

    @Override
    public Integer call() {
      ListOperatorsResponse r;
      try (PdConnection pd = options.connect()) {
        r = pd.call(c -> options.admin(c).listOperators(ListOperatorsRequest.getDefaultInstance()));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        JsonArray ops = new JsonArray();
        for (OperatorInfo op : r.getOperatorsList()) {
          JsonObject o = new JsonObject();
          o.addProperty("id", op.getOperatorId());
          o.addProperty("range", op.getRangeId());
          o.addProperty("kind", op.getKind());
          o.addProperty("from", op.getFromNode());
          o.addProperty("to", op.getToNode());
          o.addProperty("reason", op.getReason());
          o.addProperty("step", op.getStep());
          o.addProperty("age_ms", op.getAgeMs());
          ops.add(o);
        }
        out.println(new GsonBuilder().setPrettyPrinting().create().toJson(ops));
      } else if (r.getOperatorsCount() == 0) {
        out.println("no operators running");
      } else {
        TextTable table = new TextTable("id", "range", "kind", "from", "to", "reason", "age", "step");
        for (OperatorInfo op : r.getOperatorsList()) {
          table.row(String.valueOf(op.getOperatorId()), String.valueOf(op.getRangeId()), op.getKind(),
              op.getFromNode(), op.getToNode(), op.getReason(), op.getAgeMs() / 1000 + " s", op.getStep());
        }
        table.print(out);
      }
      out.flush();
      return 0;
    }

    /**
     * Waits until none of {@code ids} is running, printing each operator's step when it changes.
     * Returns false if they are still running after {@code waitMax}.
     */
    static boolean await(PdConnection pd, PdOptions options, List<Long> ids, Duration waitMax, PrintWriter out)
        throws InterruptedException {
      long deadline = System.nanoTime() + waitMax.toNanos();
      java.util.Map<Long, String> shown = new java.util.HashMap<>();
      long started = System.nanoTime();
      while (System.nanoTime() < deadline) {
        ListOperatorsResponse r = pd.call(c -> options.admin(c).listOperators(ListOperatorsRequest.getDefaultInstance()));
        List<OperatorInfo> mine = r.getOperatorsList().stream().filter(op -> ids.contains(op.getOperatorId())).toList();
        if (mine.isEmpty()) {
          out.printf("done in %.1f s%n", (System.nanoTime() - started) / 1e9);
          out.flush();
          return true;
        }
        for (OperatorInfo op : mine) {
          if (!op.getStep().equals(shown.put(op.getOperatorId(), op.getStep()))) {
            out.printf("  [%5.1f s] operator %d: %s%n", (System.nanoTime() - started) / 1e9, op.getOperatorId(), op.getStep());
            out.flush();
          }
        }
        Thread.sleep(500);
      }
      out.printf("still running after %s; follow it with 'pando admin operators'%n", waitMax);
      out.flush();
      return false;
    }
  }

  @Command(name = "drain", mixinStandardHelpOptions = true,
      description = {"Moves every replica off a node so it can leave; it gets no new ones.",
          "Prints the replicas left as they move and returns when none is (or at once with --no-wait)."})
  static final class Drain implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PdOptions options;

    @picocli.CommandLine.Parameters(paramLabel = "NODE", description = "The node to drain.")
    String node;

    @Option(names = "--undo", description = "Stop draining the node.")
    boolean undo;

    @Option(names = "--no-wait", description = "Return once draining has started.")
    boolean noWait;

    @Option(names = "--wait-max", defaultValue = "30m",
        description = "Give up waiting after this long (default: ${DEFAULT-VALUE}); the drain goes on.")
    Duration waitMax;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      try (PdConnection pd = options.connect()) {
        DrainResponse r = pd.call(c -> options.admin(c).drain(
            DrainRequest.newBuilder().setNodeId(node).setUndo(undo).build()));
        out.printf(undo ? "%s is no longer draining (%d replicas)%n" : "draining %s: %d replicas to move%n",
            node, r.getReplicas());
        out.flush();
        if (undo || noWait) {
          return 0;
        }
        long deadline = System.nanoTime() + waitMax.toNanos();
        long started = System.nanoTime();
        int shown = r.getReplicas();
        // The last move's operator is retired just after its replica leaves the table; until then
        // 'remove' refuses the node, so the drain is done only when both are gone.
        boolean moving = true;
        while (shown > 0 || moving) {
          if (System.nanoTime() > deadline) {
            out.printf("%d replicas still on %s after %s; follow it with 'pando admin nodes'%n", shown, node, waitMax);
            out.flush();
            return 1;
          }
          Thread.sleep(1000);
          int left = pd.call(c -> options.admin(c).listNodes(ListNodesRequest.getDefaultInstance()))
              .getNodesList().stream().filter(n -> n.getNodeId().equals(node))
              .mapToInt(NodeInfo::getReplicasInTable).findFirst().orElse(0);
          moving = pd.call(c -> options.admin(c).listOperators(ListOperatorsRequest.getDefaultInstance()))
              .getOperatorsList().stream().anyMatch(o -> o.getFromNode().equals(node) || o.getToNode().equals(node));
          if (left != shown) {
            out.printf("  [%5.1f s] %d replicas left on %s%n", (System.nanoTime() - started) / 1e9, left, node);
            out.flush();
            shown = left;
          }
        }
        out.printf("%s holds no replicas; remove it with 'pando admin remove %s'%n", node, node);
        out.flush();
        return 0;
      }
    }
  }

  @Command(name = "split", mixinStandardHelpOptions = true,
      description = "Splits a range in two, at the median hash of its keys or at --at.")
  static final class Split implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PdOptions options;

    @picocli.CommandLine.Parameters(paramLabel = "RANGE_ID", description = "The range's id (see 'pando admin ranges').")
    long rangeId;

    @Option(names = "--at", paramLabel = "HEX", description = "The hash to split at, 16 hex digits (default: the median hash of the range's keys).")
    String at;

    @Override
    public Integer call() {
      SplitRangeAdminRequest.Builder request = SplitRangeAdminRequest.newBuilder().setRangeId(rangeId);
      if (at != null) {
        try {
          request.setSplitHash(Long.parseUnsignedLong(at, 16));
        } catch (NumberFormatException e) {
          throw new picocli.CommandLine.ParameterException(spec.commandLine(),
              "--at must be a hash of up to 16 hex digits, got '" + at + "'");
        }
      }
      SplitRangeAdminResponse r;
      try (PdConnection pd = options.connect()) {
        r = pd.call(c -> AdminGrpc.newBlockingStub(c).withDeadlineAfter(
            Math.max(options.timeout.toMillis(), 70_000), TimeUnit.MILLISECONDS).splitRange(request.build()));
      }
      PrintWriter out = spec.commandLine().getOut();
      for (Range range : List.of(r.getLeft(), r.getRight())) {
        out.printf("range %d  [%s, %s)  epoch %d.%d%n", range.getRangeId(), RangeJson.hex(range.getStart()),
            range.getEnd() == 0 ? "end" : RangeJson.hex(range.getEnd()), range.getEpoch().getVersion(),
            range.getEpoch().getConfVersion());
      }
      out.flush();
      return 0;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Removes a node that holds no replicas from the cluster for good (drain it first).")
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PdOptions options;

    @picocli.CommandLine.Parameters(paramLabel = "NODE", description = "The node to remove.")
    String node;

    @Override
    public Integer call() {
      try (PdConnection pd = options.connect()) {
        pd.call(c -> options.admin(c).removeNode(RemoveNodeRequest.newBuilder().setNodeId(node).build()));
      }
      spec.commandLine().getOut().printf("removed %s; stop its process and delete its data directory%n", node);
      spec.commandLine().getOut().flush();
      return 0;
    }
  }

  @Command(name = "range", mixinStandardHelpOptions = true,
      description = "One range and each of its replicas as its node last reported it.")
  static final class RangeCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin PdOptions options;

    @picocli.CommandLine.Parameters(paramLabel = "RANGE_ID", description = "The range's id (see 'pando admin ranges').")
    long rangeId;

    @Override
    public Integer call() {
      RangeInfo info;
      try (PdConnection pd = options.connect()) {
        info = pd.call(c -> options.admin(c).getRange(GetRangeRequest.newBuilder().setRangeId(rangeId).build()));
      }
      PrintWriter out = spec.commandLine().getOut();
      if (options.json) {
        out.println(new GsonBuilder().setPrettyPrinting().create().toJson(RangeJson.of(info)));
      } else {
        Range range = info.getRange();
        out.printf("range %d  [%s, %s)  epoch %d.%d  leader %s%n", range.getRangeId(), RangeJson.hex(range.getStart()),
            range.getEnd() == 0 ? "end" : RangeJson.hex(range.getEnd()), range.getEpoch().getVersion(),
            range.getEpoch().getConfVersion(), range.getLeader().isEmpty() ? "unknown" : range.getLeader());
        TextTable table = new TextTable("replica", "node state", "role", "applied", "keys", "bytes", "reads/s", "writes/s");
        for (ReplicaInfo r : info.getReplicasList()) {
          boolean seen = r.getReported();
          table.row(r.getNodeId(), r.getNodeState().name(),
              !seen ? "not reported" : r.getLeader() ? "leader" : "follower",
              seen ? String.valueOf(r.getAppliedIndex()) : "-", seen ? String.valueOf(r.getKeys()) : "-",
              seen ? String.valueOf(r.getBytes()) : "-",
              seen ? String.format(java.util.Locale.ROOT, "%.1f", r.getReadsPerSecond()) : "-",
              seen ? String.format(java.util.Locale.ROOT, "%.1f", r.getWritesPerSecond()) : "-");
        }
        table.print(out);
      }
      out.flush();
      return 0;
    }
  }

  /** The JSON shape of a range, shared by 'ranges' and 'range'. */
  static final class RangeJson {
    private RangeJson() {}

    static String hex(long position) {
      return String.format("%016x", position);
    }

    static JsonObject of(RangeInfo info) {
      Range range = info.getRange();
      JsonObject o = new JsonObject();
      o.addProperty("id", range.getRangeId());
      o.addProperty("start", hex(range.getStart()));
      o.addProperty("end", range.getEnd() == 0 ? "end" : hex(range.getEnd()));
      o.addProperty("epoch_version", range.getEpoch().getVersion());
      o.addProperty("epoch_conf_version", range.getEpoch().getConfVersion());
      o.addProperty("leader", range.getLeader());
      JsonArray replicas = new JsonArray();
      for (ReplicaInfo r : info.getReplicasList()) {
        JsonObject ro = new JsonObject();
        ro.addProperty("node", r.getNodeId());
        ro.addProperty("node_state", r.getNodeState().name());
        ro.addProperty("reported", r.getReported());
        ro.addProperty("leader", r.getLeader());
        ro.addProperty("applied_index", r.getAppliedIndex());
        ro.addProperty("keys", r.getKeys());
        ro.addProperty("bytes", r.getBytes());
        ro.addProperty("reads_per_second", r.getReadsPerSecond());
        ro.addProperty("writes_per_second", r.getWritesPerSecond());
        replicas.add(ro);
      }
      o.add("replicas", replicas);
      return o;
    }
  }
}
