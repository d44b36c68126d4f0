package pando.pd.hot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;

/**
 * Spreads the leaderships of hot ranges over the nodes, so that no node serves the writes of many
 * hot ranges at once.
 *
 * <p>Given the hot ranges (with their replicas and leader hints) and the nodes that accept work,
 * let {@code H} be the hot ranges led by such a node and {@code cap = ceil(H / nodes)}. {@link
 * #propose} returns leader transfers after which no node leads more than {@code cap} of them
 * whenever some choice of leaders among each range's replicas that accept work achieves that; if
 * none does, it gets as close as the replicas allow (the total excess over {@code cap} is as small
 * as it can be). A leadership only goes to a replica of the range on a node that accepts work.
 * Hot ranges without a leader, or led by a node that does not accept work, are left out (the
 * scheduler's drain and repair phases deal with those).
 *
 * <p>How: repeatedly, from a node over {@code cap}, search (breadth first, nodes and ranges by id)
 * for a chain of transfers "u gives range r to v, v gives range r' to w, ..." that ends at a node
 * under {@code cap}, and apply it; each chain lowers the total excess by one, and when no chain
 * exists the excess is minimal (the augmenting-path argument of bipartite matching). The result is
 * each range's net change: a range moved twice becomes one transfer, one moved back none.
 * Deterministic: the same input gives the same transfers, in range id order.
 */
public final class HotLeaderSpread {
  private HotLeaderSpread() {}

  /** Hand the range's leadership from {@code from} to {@code to}. */
  public record Transfer(long rangeId, Epoch epoch, String from, String to) {
    public Transfer {
      Objects.requireNonNull(epoch, "epoch");
      if (from.equals(to)) {
        throw new IllegalArgumentException("range " + rangeId + ": transfer to its own leader");
      }
    }
  }

  public static List<Transfer> propose(Collection<RangeDescriptor> hotRanges, Set<String> nodes) {
    if (nodes.isEmpty()) {
      return List.of();
    }
    Map<Long, RangeDescriptor> ranges = new TreeMap<>();
    Map<Long, String> leaders = new TreeMap<>();
    for (RangeDescriptor range : hotRanges) {
      Optional<String> leader = range.leader().filter(nodes::contains);
      if (leader.isPresent()) {
        if (ranges.put(range.rangeId(), range) != null) {
          throw new IllegalArgumentException("range " + range.rangeId() + " is listed twice");
        }
        leaders.put(range.rangeId(), leader.get());
      }
    }
    int cap = (ranges.size() + nodes.size() - 1) / nodes.size();
    Map<String, Integer> led = new HashMap<>();
    nodes.forEach(node -> led.put(node, 0));
    leaders.values().forEach(node -> led.merge(node, 1, Integer::sum));
    // Each chain lowers the excess by one, so this ends after at most H chains.
    boolean progress = true;
    while (progress) {
      progress = false;
      for (String over : new TreeSet<>(nodes)) {
        if (led.get(over) > cap) {
          Optional<Chain> chain = chainFrom(over, cap, ranges, leaders, led, nodes);
          chain.ifPresent(c -> apply(over, c, leaders, led));
          progress |= chain.isPresent();
        }
      }
    }
    List<Transfer> transfers = new ArrayList<>();
    for (RangeDescriptor range : ranges.values()) {
      String before = range.leader().orElseThrow();
      String after = leaders.get(range.rangeId());
      if (!before.equals(after)) {
        transfers.add(new Transfer(range.rangeId(), range.epoch(), before, after));
      }
    }
    return List.copyOf(transfers);
  }

  /** A chain of transfers ending at {@code end}, its ranges listed last transfer first. */
  private record Chain(List<Long> rangesLastFirst, String end) {}

  /**
   * A breadth-first search over "node leads range r, which has a replica on node v": the shortest
   * chain from {@code start} to a node under {@code cap}, empty if there is none.
   */
  private static Optional<Chain> chainFrom(
      String start, int cap, Map<Long, RangeDescriptor> ranges, Map<Long, String> leaders,
      Map<String, Integer> led, Set<String> nodes) {
    Map<String, Long> reachedVia = new HashMap<>();
    Deque<String> queue = new ArrayDeque<>();
    queue.add(start);
    reachedVia.put(start, -1L);
    while (!queue.isEmpty()) {
      String node = queue.poll();
      for (Map.Entry<Long, String> lead : leaders.entrySet()) {
        if (!lead.getValue().equals(node)) {
          continue;
        }
        for (String target : new TreeSet<>(ranges.get(lead.getKey()).replicas())) {
          if (!nodes.contains(target) || reachedVia.containsKey(target)) {
            continue;
          }
          reachedVia.put(target, lead.getKey());
          if (led.get(target) < cap) {
            return Optional.of(new Chain(rangesOnPath(target, reachedVia, leaders), target));
          }
          queue.add(target);
        }
      }
    }
    return Optional.empty();
  }

  /** The ranges from the start of the search to {@code end}, last transfer first. */
  private static List<Long> rangesOnPath(
      String end, Map<String, Long> reachedVia, Map<Long, String> leaders) {
    List<Long> path = new ArrayList<>();
    String node = end;
    while (reachedVia.get(node) >= 0) {
      long range = reachedVia.get(node);
      path.add(range);
      node = leaders.get(range);
    }
    return path;
  }

  /**
   * Moves each range of the chain one node along it; only the two ends change how many hot ranges
   * they lead.
   */
  private static void apply(
      String start, Chain chain, Map<Long, String> leaders, Map<String, Integer> led) {
    String to = chain.end();
    for (long range : chain.rangesLastFirst()) {
      String from = leaders.put(range, to);
      to = from;
    }
    led.merge(start, -1, Integer::sum);
    led.merge(chain.end(), 1, Integer::sum);
  }
}
