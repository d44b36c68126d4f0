package pando.pd.schedule;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import pando.api.range.RangeDescriptor;

/**
 * Everything the scheduler decides from, as one immutable snapshot.
 *
 * <p>Guarantees: range ids and node ids are unique, every replica is on one of the listed nodes,
 * byte counts are not negative, and the collections are immutable copies. An in-flight operator
 * may name a range that no longer exists (it still occupies its nodes until the executor drops it).
 *
 * @param ranges every range; each descriptor's {@link RangeDescriptor#leader()} is the leader hint
 * @param bytesPerRange the size of each range in bytes; a missing range counts as 0
 * @param nodes every node that may hold a replica
 * @param inFlight the operators the executor has accepted and not yet finished or abandoned
 * @param lastChangeMsPerRange when each range last changed (membership or leader), in the same
 *     milliseconds as the {@code nowMs} passed to {@link Scheduler#schedule}; a missing range
 *     changed long ago
 * @param hotRanges ranges whose load makes them hot: their leaders are spread by load (see {@code
 *     HotLeaderSpread}), so the leader-count balance leaves them alone rather than undo that
 */
public record ClusterState(
    List<RangeDescriptor> ranges,
    Map<Long, Long> bytesPerRange,
    List<NodeStatus> nodes,
    List<Operator> inFlight,
    Map<Long, Long> lastChangeMsPerRange,
    Set<Long> hotRanges) {

  /** A state without hot ranges. */
  public ClusterState(List<RangeDescriptor> ranges, Map<Long, Long> bytesPerRange, List<NodeStatus> nodes,
      List<Operator> inFlight, Map<Long, Long> lastChangeMsPerRange) {
    this(ranges, bytesPerRange, nodes, inFlight, lastChangeMsPerRange, Set.of());
  }

  public ClusterState {
    hotRanges = Set.copyOf(hotRanges);
    ranges = List.copyOf(ranges);
    bytesPerRange = Map.copyOf(bytesPerRange);
    nodes = List.copyOf(nodes);
    inFlight = List.copyOf(inFlight);
    lastChangeMsPerRange = Map.copyOf(lastChangeMsPerRange);
    Set<String> nodeIds = new HashSet<>();
    for (NodeStatus node : nodes) {
      if (!nodeIds.add(node.id())) {
        throw new IllegalArgumentException("node " + node.id() + " is listed twice");
      }
    }
    Set<Long> rangeIds = new HashSet<>();
    for (RangeDescriptor range : ranges) {
      if (!rangeIds.add(range.rangeId())) {
        throw new IllegalArgumentException("range " + range.rangeId() + " is listed twice");
      }
      for (String replica : range.replicas()) {
        if (!nodeIds.contains(replica)) {
          throw new IllegalArgumentException(
              "range " + range.rangeId() + " has a replica on " + replica
                  + ", which is not among the nodes " + nodeIds);
        }
      }
    }
    bytesPerRange.forEach((rangeId, bytes) -> {
      if (bytes < 0) {
        throw new IllegalArgumentException(
            "range " + rangeId + " has a negative size: " + bytes + " bytes");
      }
    });
  }

  /** A state with no sizes, nothing in flight and no recent change. */
  public static ClusterState of(List<RangeDescriptor> ranges, List<NodeStatus> nodes) {
    return new ClusterState(ranges, Map.of(), nodes, List.of(), Map.of());
  }

  /** The size of the range in bytes, 0 if unknown. */
  public long bytesOf(long rangeId) {
    return bytesPerRange.getOrDefault(rangeId, 0L);
  }

  /** When the range last changed, empty if long ago. */
  public OptionalLong lastChangeMs(long rangeId) {
    Long ms = lastChangeMsPerRange.get(rangeId);
    return ms == null ? OptionalLong.empty() : OptionalLong.of(ms);
  }

  /** The state with other ranges, in flight operators and change times; the nodes are kept. */
  public ClusterState with(
      List<RangeDescriptor> newRanges, List<Operator> newInFlight, Map<Long, Long> newLastChange) {
    return new ClusterState(newRanges, bytesPerRange, nodes, newInFlight, newLastChange, hotRanges);
  }

  /** The state with other operators in flight. */
  public ClusterState withInFlight(List<Operator> newInFlight) {
    return new ClusterState(ranges, bytesPerRange, nodes, newInFlight, lastChangeMsPerRange, hotRanges);
  }
}
