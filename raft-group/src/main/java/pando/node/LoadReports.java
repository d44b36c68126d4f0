package pando.node;

import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import pando.stats.RangeLoadTracker;
import pando.stats.SpaceSaving;
import pando.v1.KeyLoad;
import pando.v1.ReplicaStats;

/** What of a replica's load sketch goes into a heartbeat: pure, so the bounds can be tested. */
final class LoadReports {
  private LoadReports() {}

  /**
   * Adds the sketch of each leader's report to its replica's statistics, and the hottest keys of the
   * ranges with at least {@code opsPerSecMin} operations per second, hottest ranges first, at most
   * {@code keysMax} keys in all.
   *
   * @param stats the replicas' statistics, changed in place
   * @param loads the load report of each replica in {@code stats}, in the same order; null for a
   *     follower, whose load the PD does not use
   */
  static void addSketches(List<ReplicaStats.Builder> stats, List<RangeLoadTracker.Report> loads,
      double opsPerSecMin, int keysMax) {
    if (stats.size() != loads.size()) {
      throw new IllegalArgumentException("one load report per replica expected");
    }
    List<Integer> hottestFirst = IntStream.range(0, loads.size())
        .filter(i -> loads.get(i) != null)
        .boxed()
        .sorted(Comparator.comparingDouble((Integer i) -> loads.get(i).rates().opsPerSec()).reversed())
        .toList();
    int budget = keysMax;
    for (int i : hottestFirst) {
      RangeLoadTracker.Report load = loads.get(i);
      ReplicaStats.Builder replica = stats.get(i)
          .setSketchWindowMs(Math.max(1, load.sketchWindow().toMillis()))
          .setSketchTotal(load.sketchTotal())
          .setSketchUnseenMax(load.unseenMax());
      if (load.rates().opsPerSec() < opsPerSecMin) {
        continue;
      }
      // Keys left out for the budget are not "unseen" in the sketch's sense: the PD learns fewer.
      for (SpaceSaving.Entry entry : load.topKeys()) {
        if (budget == 0) {
          break;
        }
        replica.addTopKeys(KeyLoad.newBuilder()
            .setKey(entry.key().bytes())
            .setTruncated(entry.key().truncated())
            .setKeyHash(entry.key().keyHash())
            .setCount(entry.count())
            .setError(entry.error())
            .setReads(entry.reads())
            .setWrites(entry.writes())
            .setIncrements(entry.increments()));
        budget--;
      }
    }
  }
}
