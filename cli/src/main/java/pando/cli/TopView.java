package pando.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import pando.v1.HotKeyInfo;
import pando.v1.ListHotKeysResponse;
import pando.v1.ListNodesResponse;
import pando.v1.ListOperatorsResponse;
import pando.v1.ListRangesResponse;
import pando.v1.NodeInfo;
import pando.v1.OperatorInfo;
import pando.v1.RangeInfo;
import pando.v1.ReplicaInfo;
import pando.v1.StatusResponse;

/**
 * One screen of {@code pando admin top}, from the Admin API's answers: the cluster line, every
 * node's load, the busiest ranges and keys, and the running operators. Pure: the command fetches
 * and draws.
 */
final class TopView {
  /** Rows shown of the busiest ranges and of the hottest keys. */
  static final int BUSIEST_SHOWN = 10;

  /** The Admin API's answers one screen is drawn from. */
  record Snapshot(StatusResponse status, ListNodesResponse nodes, ListRangesResponse ranges,
      ListOperatorsResponse operators, ListHotKeysResponse hotKeys) {}

  private TopView() {}

  /** The screen's lines; {@code title} heads it (the time and the refresh period, for example). */
  static String render(Snapshot s, String title) {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    StatusResponse st = s.status();
    out.printf("%s%n", title);
    out.printf("PD leader %s · nodes %d up, %d suspect, %d down · %d ranges (%d under-replicated) · %d operators%n%n",
        st.getPdLeaderId().isEmpty() ? "unknown" : st.getPdLeaderId(), st.getNodesUp(), st.getNodesSuspect(),
        st.getNodesDown(), st.getRanges(), st.getUnderReplicated(), st.getOperators());

    TextTable nodes = new TextTable("node", "state", "requests/s", "p99 ms", "replicas", "leaders", "keys");
    for (NodeInfo n : s.nodes().getNodesList()) {
      nodes.row(n.getNodeId(), n.getState().name() + (n.getDraining() ? " draining" : ""),
          rate(n.getRequestsPerSecond()), String.format(Locale.ROOT, "%.1f", n.getP99LatencyMs()),
          String.valueOf(n.getReplicas()), String.valueOf(n.getLeaders()), String.valueOf(n.getKeys()));
    }
    nodes.print(out);

    out.printf("%nbusiest ranges%n");
    List<RangeInfo> busiest = s.ranges().getRangesList().stream()
        .sorted(Comparator.comparingDouble((RangeInfo r) -> opsPerSecond(r)).reversed()
            .thenComparingLong(r -> r.getRange().getRangeId()))
        .limit(BUSIEST_SHOWN).toList();
    TextTable ranges = new TextTable("range", "leader", "reads/s", "writes/s", "keys");
    for (RangeInfo r : busiest) {
      ReplicaInfo leader = leaderOf(r);
      ranges.row(String.valueOf(r.getRange().getRangeId()), r.getRange().getLeader().isEmpty() ? "?" : r.getRange().getLeader(),
          rate(leader.getReadsPerSecond()), rate(leader.getWritesPerSecond()), String.valueOf(leader.getKeys()));
    }
    ranges.print(out);

    out.printf("%nhottest keys%n");
    List<HotKeyInfo> keys = s.hotKeys().getHotKeysList().stream()
        .sorted(Comparator.comparingDouble((HotKeyInfo k) -> opsPerSecond(k)).reversed()).limit(BUSIEST_SHOWN).toList();
    if (keys.isEmpty()) {
      out.println("none above the placement driver's hot-key threshold");
    } else {
      TextTable table = new TextTable("key", "state", "reads/s", "writes/s", "incr/s");
      for (HotKeyInfo k : keys) {
        table.row(Values.render(k.getHotKey().getKey().toByteArray(), false),
            k.getInTable() ? k.getHotKey().getState().name() : "not in table",
            rate(k.getLoad().getReadsPerSecond()), rate(k.getLoad().getWritesPerSecond()),
            rate(k.getLoad().getIncrementsPerSecond()));
      }
      table.print(out);
    }

    out.printf("%noperators%n");
    if (s.operators().getOperatorsCount() == 0) {
      out.println("none running");
    } else {
      TextTable ops = new TextTable("id", "kind", "range", "from", "to", "step");
      for (OperatorInfo o : s.operators().getOperatorsList()) {
        ops.row(String.valueOf(o.getOperatorId()), o.getKind(), String.valueOf(o.getRangeId()), o.getFromNode(),
            o.getToNode(), o.getStep());
      }
      ops.print(out);
    }
    out.flush();
    return text.toString();
  }

  private static ReplicaInfo leaderOf(RangeInfo r) {
    return r.getReplicasList().stream().filter(ReplicaInfo::getLeader).findFirst()
        .orElse(ReplicaInfo.getDefaultInstance());
  }

  private static double opsPerSecond(RangeInfo r) {
    ReplicaInfo leader = leaderOf(r);
    return leader.getReadsPerSecond() + leader.getWritesPerSecond();
  }

  private static double opsPerSecond(HotKeyInfo k) {
    return k.getLoad().getReadsPerSecond() + k.getLoad().getWritesPerSecond() + k.getLoad().getIncrementsPerSecond();
  }

  private static String rate(double perSecond) {
    return String.format(Locale.ROOT, perSecond >= 100 ? "%.0f" : "%.1f", perSecond);
  }
}
