package pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import pando.stats.LoadWindow;
import pando.stats.RangeLoadTracker;
import pando.stats.SpaceSaving;
import pando.v1.ReplicaStats;

class LoadReportsTest {

  private static RangeLoadTracker.Report load(double opsPerSec, int keys) {
    List<SpaceSaving.Entry> top = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      ByteString key = ByteString.copyFromUtf8("key-" + opsPerSec + "-" + i);
      top.add(new SpaceSaving.Entry(new SpaceSaving.TrackedKey(key, key.size(), i), 10, 0, 10, 0, 0));
    }
    return new RangeLoadTracker.Report(new LoadWindow.Rates(opsPerSec, 0, 0), Duration.ofMillis(1_000),
        10L * keys, 0, top);
  }

  private static List<ReplicaStats.Builder> replicas(int n) {
    List<ReplicaStats.Builder> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(ReplicaStats.newBuilder().setRangeId(i + 1));
    }
    return out;
  }

  @Test
  void leadersGetTheirSketchAndBusyRangesTheirKeysHottestFirstWithinTheBudget() {
    List<ReplicaStats.Builder> stats = replicas(4);
    List<RangeLoadTracker.Report> loads = new ArrayList<>();
    loads.add(load(100, 3));   // range 1: busy
    loads.add(null);           // range 2: a follower
    loads.add(load(10, 3));    // range 3: too quiet for keys
    loads.add(load(500, 3));   // range 4: the busiest

    LoadReports.addSketches(stats, loads, 50, 4);

    assertThat(stats.get(3).getTopKeysCount()).as("busiest range first").isEqualTo(3);
    assertThat(stats.get(0).getTopKeysCount()).as("what is left of the budget").isEqualTo(1);
    assertThat(stats.get(2).getTopKeysCount()).isZero();
    assertThat(stats.get(2).getSketchWindowMs()).as("a quiet leader still reports its sketch size").isEqualTo(1_000);
    assertThat(stats.get(2).getSketchTotal()).isEqualTo(30);
    assertThat(stats.get(1).getSketchWindowMs()).as("followers report no sketch").isZero();
    assertThat(stats.get(1).getTopKeysCount()).isZero();
    assertThat(stats.get(3).getTopKeys(0).getReads()).isEqualTo(10);
  }
}
