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
import pando.v1.GetRangeRequest;
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
        AdminCommand.RangeCommand.class})
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
        out.println(new GsonBuilder().setPrettyPrinting().create().toJson(o));
      } else {
        out.printf("pd leader:  %s%n", s.getPdLeaderId());
        out.printf("nodes:      %d up, %d suspect, %d down%n", s.getNodesUp(), s.getNodesSuspect(), s.getNodesDown());
        out.printf("ranges:     %d%n", s.getRanges());
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
          table.row(n.getNodeId(), n.getState().name(), n.getApiAddress(), n.getRaftAddress(),
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
