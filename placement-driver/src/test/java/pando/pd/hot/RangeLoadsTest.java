package pando.pd.hot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import pando.api.range.RangeTable;
import pando.v1.KeyLoad;
import pando.v1.ReplicaStats;

class RangeLoadsTest {
  private final RangeTable table = RangeTable.initial(List.of(
      List.of("n1", "n2", "n3"), List.of("n1", "n2", "n3")));

  private static ReplicaStats.Builder leaderOf(long rangeId) {
    return ReplicaStats.newBuilder().setRangeId(rangeId).setLeader(true).setEpochVersion(1)
        .setSketchWindowMs(1_000).setReadsPerSecond(300).setWritesPerSecond(100).setSketchTotal(400)
        .setAppliedIndex(10);
  }

  private static KeyLoad key(String key, long reads) {
    return KeyLoad.newBuilder().setKey(ByteString.copyFromUtf8(key)).setKeyHash(key.hashCode())
        .setCount(reads).setReads(reads).build();
  }

  @Test
  void aLeadersReportBecomesTheRangesLoadWithItsBoundsFromTheTable() {
    List<RangeLoad> loads = RangeLoads.fromReports(table, List.of(
        leaderOf(2).addTopKeys(key("a", 250)).build()));

    assertThat(loads).hasSize(1);
    RangeLoad load = loads.get(0);
    assertThat(load.rangeId()).isEqualTo(2);
    assertThat(load.bounds()).isEqualTo(table.byId(2).orElseThrow().bounds());
    assertThat(load.window()).isEqualTo(Duration.ofSeconds(1));
    assertThat(load.opsPerSec()).isEqualTo(400);
    assertThat(load.sketchTotal()).isEqualTo(400);
    assertThat(load.topKeys()).extracting(KeySample::key).containsExactly(ByteString.copyFromUtf8("a"));
  }

  @Test
  void followersStaleVersionsUnknownRangesAndReportsWithoutASketchAreLeftOut() {
    List<RangeLoad> loads = RangeLoads.fromReports(table, List.of(
        leaderOf(1).setLeader(false).build(),
        leaderOf(2).setEpochVersion(2).build(),
        leaderOf(9).build(),
        leaderOf(1).setSketchWindowMs(0).build()));

    assertThat(loads).isEmpty();
  }

  @Test
  void whenTwoNodesClaimTheLeadershipTheFurtherAppliedReportWins() {
    List<RangeLoad> loads = RangeLoads.fromReports(table, List.of(
        leaderOf(1).setAppliedIndex(50).setReadsPerSecond(1).build(),
        leaderOf(1).setAppliedIndex(70).setReadsPerSecond(2).build(),
        leaderOf(1).setAppliedIndex(60).setReadsPerSecond(3).build()));

    assertThat(loads).singleElement().extracting(RangeLoad::readsPerSec).isEqualTo(2.0);
  }

  @Test
  void aBrokenSampleIsDroppedAndARangeWhoseSamplesExceedItsSketchIsSkipped() {
    KeyLoad broken = KeyLoad.newBuilder().setKey(ByteString.copyFromUtf8("x")).setCount(5).setError(9).build();
    List<RangeLoad> loads = RangeLoads.fromReports(table, List.of(
        leaderOf(1).addTopKeys(broken).addTopKeys(key("ok", 10)).build(),
        leaderOf(2).setSketchTotal(5).addTopKeys(key("too-many", 10)).build()));

    assertThat(loads).singleElement().satisfies(load -> {
      assertThat(load.rangeId()).isEqualTo(1);
      assertThat(load.topKeys()).extracting(KeySample::key).containsExactly(ByteString.copyFromUtf8("ok"));
    });
  }
}
