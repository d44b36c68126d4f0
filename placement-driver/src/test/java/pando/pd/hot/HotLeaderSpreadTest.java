package pando.pd.hot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import pando.api.HashRange;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.pd.hot.HotLeaderSpread.Transfer;

class HotLeaderSpreadTest {
  private static final Set<String> ABC = Set.of("a", "b", "c");

  static LongStream seeds() {
    return LongStream.of(4, 40, 400, new Random().nextLong());
  }

  private static RangeDescriptor range(long id, String leader, String... replicas) {
    return new RangeDescriptor(id, new HashRange(id, id + 1), Epoch.initial(), List.of(replicas),
        Optional.of(leader));
  }

  @Test
  void hotLeadersPiledOnOneNodeAreSpreadToOnePerNode() {
    List<Transfer> transfers = HotLeaderSpread.propose(List.of(
        range(1, "a", "a", "b", "c"), range(2, "a", "a", "b", "c"), range(3, "a", "a", "b", "c")),
        ABC);

    assertThat(transfers).containsExactly(
        new Transfer(1, Epoch.initial(), "a", "b"), new Transfer(2, Epoch.initial(), "a", "c"));
  }

  @Test
  void alreadySpreadLeadersStayWhereTheyAre() {
    assertThat(HotLeaderSpread.propose(List.of(
        range(1, "a", "a", "b", "c"), range(2, "b", "a", "b", "c"), range(3, "c", "a", "b", "c")),
        ABC)).isEmpty();
    // 4 hot ranges on 3 nodes: cap 2, so 2-1-1 is fine.
    assertThat(HotLeaderSpread.propose(List.of(
        range(1, "a", "a", "b", "c"), range(2, "a", "a", "b", "c"), range(3, "b", "a", "b", "c"),
        range(4, "c", "a", "b", "c")), ABC)).isEmpty();
  }

  @Test
  void aChainOfTransfersIsUsedWhenNoDirectOneHelps() {
    // a leads 1 and 2, both replicated only on a and b; b leads 3, replicated on b and c; c leads
    // nothing. cap = 1: a gives 1 to b, and b gives 3 to c.
    List<Transfer> transfers = HotLeaderSpread.propose(List.of(
        range(1, "a", "a", "b"), range(2, "a", "a", "b"), range(3, "b", "b", "c")), ABC);

    assertThat(transfers).containsExactly(
        new Transfer(1, Epoch.initial(), "a", "b"), new Transfer(3, Epoch.initial(), "b", "c"));
  }

  @Test
  void whenNoSpreadIsPossibleTheLeadersStay() {
    // Both ranges live only on a and d; d does not accept work.
    assertThat(HotLeaderSpread.propose(List.of(range(1, "a", "a", "d"), range(2, "a", "a", "d")),
        ABC)).isEmpty();
  }

  @Test
  void rangesLedOffTheWorkingNodesOrWithoutLeaderAreLeftOut() {
    RangeDescriptor noLeader = new RangeDescriptor(1, new HashRange(1, 2), Epoch.initial(),
        List.of("a", "b"), Optional.empty());
    assertThat(HotLeaderSpread.propose(
        List.of(noLeader, range(2, "d", "a", "d"), range(3, "d", "b", "d")), ABC)).isEmpty();
    assertThat(HotLeaderSpread.propose(List.of(range(1, "a", "a", "b")), Set.of())).isEmpty();
  }

  /**
   * For random small clusters, compares with a brute force over every choice of leaders: the
   * result reaches the smallest possible excess over the cap, moves only to replicas on working
   * nodes, and leaves ranges alone when the spread is already within the cap.
   */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void theSpreadIsAsGoodAsTheBestChoiceOfLeaders(long seed) {
    Random random = new Random(seed);
    for (int round = 0; round < 300; round++) {
      String where = "seed " + seed + ", round " + round;
      int nodeCount = 2 + random.nextInt(4);
      List<String> nodes = new ArrayList<>();
      for (int i = 0; i < nodeCount; i++) {
        nodes.add("n" + i);
      }
      List<RangeDescriptor> ranges = new ArrayList<>();
      int rangeCount = 1 + random.nextInt(7);
      for (long id = 1; id <= rangeCount; id++) {
        List<String> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, random);
        List<String> replicas = shuffled.subList(0, 1 + random.nextInt(Math.min(3, nodeCount)));
        // Leaders crowd onto the first nodes, so there is work to do.
        String leader = replicas.stream().min(String::compareTo).orElseThrow();
        ranges.add(new RangeDescriptor(id, new HashRange(id, id + 1), Epoch.initial(), replicas,
            Optional.of(leader)));
      }
      Set<String> working = new TreeSet<>(nodes);

      List<Transfer> transfers = HotLeaderSpread.propose(ranges, working);

      Map<Long, String> leaders = new HashMap<>();
      ranges.forEach(r -> leaders.put(r.rangeId(), r.leader().orElseThrow()));
      for (Transfer transfer : transfers) {
        RangeDescriptor range = ranges.get((int) transfer.rangeId() - 1);
        assertThat(transfer.from()).as(where).isEqualTo(range.leader().orElseThrow());
        assertThat(range.replicas()).as(where).contains(transfer.to());
        leaders.put(transfer.rangeId(), transfer.to());
      }
      int cap = (rangeCount + nodeCount - 1) / nodeCount;
      assertThat(excess(leaders.values(), cap)).as(where).isEqualTo(bestExcess(ranges, cap));
      if (excess(ranges.stream().map(r -> r.leader().orElseThrow()).toList(), cap) == 0) {
        assertThat(transfers).as(where).isEmpty();
      }
    }
  }

  private static int excess(Collection<String> leaders, int cap) {
    Map<String, Integer> led = new HashMap<>();
    leaders.forEach(n -> led.merge(n, 1, Integer::sum));
    return led.values().stream().mapToInt(c -> Math.max(0, c - cap)).sum();
  }

  private static int bestExcess(List<RangeDescriptor> ranges, int cap) {
    int[] choice = new int[ranges.size()];
    int best = Integer.MAX_VALUE;
    while (true) {
      List<String> leaders = new ArrayList<>();
      for (int i = 0; i < choice.length; i++) {
        leaders.add(ranges.get(i).replicas().get(choice[i]));
      }
      best = Math.min(best, excess(leaders, cap));
      int i = 0;
      while (i < choice.length && ++choice[i] == ranges.get(i).replicas().size()) {
        choice[i++] = 0;
      }
      if (i == choice.length) {
        return best;
      }
    }
  }

  @Test
  void bruteForceSeesEveryChoice() {
    assertThat(bestExcess(List.of(range(1, "a", "a"), range(2, "a", "a", "b")), 1)).isZero();
    assertThat(bestExcess(List.of(range(1, "a", "a"), range(2, "a", "a")), 1)).isEqualTo(1);
  }
}
