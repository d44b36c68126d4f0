package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import pando.v1.HotKey;
import pando.v1.HotKeyInfo;
import pando.v1.HotKeyLoad;
import pando.v1.ListHotKeysResponse;
import pando.v1.ListNodesResponse;
import pando.v1.ListOperatorsResponse;
import pando.v1.ListRangesResponse;
import pando.v1.NodeInfo;
import pando.v1.NodeState;
import pando.v1.OperatorInfo;
import pando.v1.Range;
import pando.v1.RangeInfo;
import pando.v1.ReplicaInfo;
import pando.v1.StatusResponse;

class TopViewTest {
  private static RangeInfo range(long id, String leader, double reads, double writes) {
    return RangeInfo.newBuilder()
        .setRange(Range.newBuilder().setRangeId(id).setLeader(leader))
        .addReplicas(ReplicaInfo.newBuilder().setNodeId(leader).setLeader(true).setReadsPerSecond(reads)
            .setWritesPerSecond(writes).setKeys(id * 10))
        .addReplicas(ReplicaInfo.newBuilder().setNodeId("nX").setReadsPerSecond(999))
        .build();
  }

  private static TopView.Snapshot snapshot(ListRangesResponse ranges, ListHotKeysResponse keys,
      ListOperatorsResponse ops) {
    return new TopView.Snapshot(
        StatusResponse.newBuilder().setPdLeaderId("pd1").setNodesUp(2).setNodesDown(1).setRanges(12).build(),
        ListNodesResponse.newBuilder()
            .addNodes(NodeInfo.newBuilder().setNodeId("n1").setState(NodeState.UP).setRequestsPerSecond(1234.4)
                .setP99LatencyMs(3.25).setReplicas(8).setLeaders(4))
            .addNodes(NodeInfo.newBuilder().setNodeId("n2").setState(NodeState.DOWN).setDraining(true))
            .build(),
        ranges, ops, keys);
  }

  @Test
  void showsEachNodesLoadAndTheBusiestRangesByTheirLeadersRates() {
    ListRangesResponse.Builder ranges = ListRangesResponse.newBuilder();
    for (long id = 1; id <= 12; id++) {
      ranges.addRanges(range(id, "n1", id, 0));
    }
    ranges.addRanges(range(13, "n2", 0.5, 500));
    String screen = TopView.render(snapshot(ranges.build(), ListHotKeysResponse.getDefaultInstance(),
        ListOperatorsResponse.getDefaultInstance()), "TITLE");

    assertThat(screen).startsWith("TITLE\n");
    assertThat(screen).contains("PD leader pd1 · nodes 2 up, 0 suspect, 1 down · 12 ranges");
    assertThat(screen).containsPattern("n1 +UP +1234 +3\\.3 +8 +4");
    assertThat(screen).contains("DOWN draining");
    String busiest = screen.substring(screen.indexOf("busiest ranges"), screen.indexOf("hottest keys"));
    // Range 13 (500 writes/s) first, then 12 down to 4: ten rows; a follower's figures do not count.
    assertThat(busiest.lines().skip(2).filter(l -> !l.isBlank()).map(l -> l.split(" +")[0]).toList())
        .containsExactly("13", "12", "11", "10", "9", "8", "7", "6", "5", "4");
    assertThat(screen).contains("none above the placement driver's hot-key threshold", "none running");
  }

  @Test
  void showsHotKeysHottestFirstAndRunningOperators() {
    ListHotKeysResponse keys = ListHotKeysResponse.newBuilder()
        .addHotKeys(HotKeyInfo.newBuilder().setHotKey(HotKey.newBuilder().setKey(ByteString.copyFromUtf8("cool")))
            .setLoad(HotKeyLoad.newBuilder().setReadsPerSecond(10)))
        .addHotKeys(HotKeyInfo.newBuilder().setInTable(true)
            .setHotKey(HotKey.newBuilder().setKey(ByteString.copyFromUtf8("user0")).setState(HotKey.State.ACTIVE))
            .setLoad(HotKeyLoad.newBuilder().setReadsPerSecond(5000).setWritesPerSecond(20)))
        .build();
    ListOperatorsResponse ops = ListOperatorsResponse.newBuilder()
        .addOperators(OperatorInfo.newBuilder().setOperatorId(7).setKind("move").setRangeId(3).setFromNode("n1")
            .setToNode("n4").setStep("n4 catching up"))
        .build();
    String screen = TopView.render(snapshot(ListRangesResponse.getDefaultInstance(), keys, ops), "TITLE");

    assertThat(screen.indexOf("user0")).isLessThan(screen.indexOf("cool"));
    assertThat(screen).containsPattern("user0 +ACTIVE +5000 +20\\.0");
    assertThat(screen).containsPattern("cool +not in table +10\\.0");
    assertThat(screen).containsPattern("7 +move +3 +n1 +n4 +n4 catching up");
  }
}
