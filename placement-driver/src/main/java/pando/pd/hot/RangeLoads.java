package pando.pd.hot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeTable;
import pando.v1.KeyLoad;
import pando.v1.ReplicaStats;

/**
 * Turns the replica statistics of heartbeats into the {@link RangeLoad}s the detectors take. Pure.
 *
 * <p>Only a leader's report counts (it serves the range's reads and writes), and only while it
 * describes the range the table has now: a report of an older version of the range (before a split
 * the node had not applied when it reported) is dropped, and so is one of a range the table does
 * not have. If two nodes reported leading the same range (a leadership change between heartbeats),
 * the report with the higher applied index wins. A key sample that breaks the sketch's invariants is
 * dropped, and so is a range whose samples claim more than its sketch counted: a bad report from
 * one node must not stop the PD from judging the others.
 */
public final class RangeLoads {
  private RangeLoads() {}

  public static List<RangeLoad> fromReports(RangeTable table, Collection<ReplicaStats> reports) {
    Map<Long, ReplicaStats> latest = new HashMap<>();
    for (ReplicaStats report : reports) {
      Optional<RangeDescriptor> range = table.byId(report.getRangeId());
      if (!report.getLeader() || report.getSketchWindowMs() <= 0 || range.isEmpty()
          || report.getEpochVersion() != range.get().epoch().version()) {
        continue;
      }
      latest.merge(report.getRangeId(), report,
          (a, b) -> b.getAppliedIndex() > a.getAppliedIndex() ? b : a);
    }
    List<RangeLoad> loads = new ArrayList<>();
    for (ReplicaStats report : latest.values()) {
      RangeDescriptor range = table.byId(report.getRangeId()).orElseThrow();
      List<KeySample> samples = new ArrayList<>();
      for (KeyLoad key : report.getTopKeysList()) {
        try {
          samples.add(new KeySample(key.getKey(), key.getTruncated(), key.getKeyHash(), key.getCount(),
              key.getError(), key.getReads(), key.getWrites(), key.getIncrements()));
        } catch (IllegalArgumentException e) {
          // dropped: see the class comment
        }
      }
      try {
        loads.add(new RangeLoad(report.getRangeId(), range.bounds(), Duration.ofMillis(report.getSketchWindowMs()),
            finiteOrZero(report.getReadsPerSecond()), finiteOrZero(report.getWritesPerSecond()),
            report.getSketchTotal(), report.getSketchUnseenMax(), samples));
      } catch (IllegalArgumentException e) {
        // dropped: see the class comment
      }
    }
    loads.sort(java.util.Comparator.comparingLong(RangeLoad::rangeId));
    return loads;
  }

  private static double finiteOrZero(double rate) {
    return rate >= 0 && Double.isFinite(rate) ? rate : 0;
  }
}
