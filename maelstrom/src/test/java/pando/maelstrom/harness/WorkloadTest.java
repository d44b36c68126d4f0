package pando.maelstrom.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import pando.maelstrom.check.Kind;

class WorkloadTest {

  private static List<Workload.Request> take(Workload w, int n) {
    return IntStream.range(0, n).mapToObj(i -> w.next()).toList();
  }

  @Test
  void theSeedDecidesTheSequence() {
    List<Workload.Request> a = take(new Workload(9, 5, Workload.Mix.defaults()), 500);
    List<Workload.Request> b = take(new Workload(9, 5, Workload.Mix.defaults()), 500);
    List<Workload.Request> c = take(new Workload(10, 5, Workload.Mix.defaults()), 500);

    assertThat(a).isEqualTo(b).isNotEqualTo(c);
  }

  @Test
  void valuesAreUniquePerKeyAndCasExpectsAValueGeneratedBefore() {
    Workload w = new Workload(3, 4, Workload.Mix.defaults());
    Map<Integer, Set<Long>> written = new HashMap<>();
    int cas = 0;
    int casOnLatest = 0;

    for (Workload.Request r : take(w, 5000)) {
      Set<Long> values = written.computeIfAbsent(r.key(), k -> new HashSet<>());
      assertThat(r.key()).isBetween(0, 3);
      if (r instanceof Workload.Write write) {
        assertThat(values.add(write.value())).as("unique %s", r).isTrue();
      } else if (r instanceof Workload.Cas c) {
        cas++;
        assertThat(values).as("cas expects a generated value: %s", r).contains(c.from());
        if (c.from() == values.stream().mapToLong(Long::longValue).max().orElseThrow()) {
          casOnLatest++;
        }
        assertThat(values.add(c.to())).as("unique %s", r).isTrue();
      }
    }
    assertThat(cas).isGreaterThan(500);
    assertThat(casOnLatest).isGreaterThan(cas / 2).isLessThan(cas);
    assertThat(w.generated()).isEqualTo(5000);
  }

  @Test
  void theMixChoosesTheKinds() {
    List<Kind> onlyReads = new ArrayList<>();
    take(new Workload(1, 3, new Workload.Mix(1, 0, 0)), 100).forEach(r -> onlyReads.add(r.f()));
    assertThat(onlyReads).containsOnly(Kind.READ);

    Set<Kind> all = new HashSet<>();
    take(new Workload(1, 3, Workload.Mix.defaults()), 100).forEach(r -> all.add(r.f()));
    assertThat(all).containsExactlyInAnyOrder(Kind.READ, Kind.WRITE, Kind.CAS);
  }
}
