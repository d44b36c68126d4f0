package pando.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The runner against an in-memory target: what it loads, what it counts, what it reports. */
class BenchRunnerTest {
  private static final class MapTarget implements BenchTarget {
    final Map<String, byte[]> data = new ConcurrentHashMap<>();
    final AtomicLong reads = new AtomicLong();
    final AtomicLong writes = new AtomicLong();

    @Override
    public void put(byte[] key, byte[] value) {
      writes.incrementAndGet();
      data.put(new String(key), value);
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
      if (reads.incrementAndGet() % 100 == 0) {
        throw new IllegalStateException("injected failure");
      }
      return Optional.ofNullable(data.get(new String(key)));
    }

    @Override
    public void load(List<byte[]> keys, byte[] value) {
      keys.forEach(k -> data.put(new String(k), value));
    }
  }

  @Test
  void loadsEveryRecordThenCountsEveryOperationAndError() throws Exception {
    BenchConfig config = new BenchConfig(Workload.A, "zipfian", 0.99, 250, 16, 2, Duration.ofMillis(300), 0, 42);
    MapTarget target = new MapTarget();
    StringWriter progress = new StringWriter();
    BenchRunner runner = new BenchRunner(config, new PrintWriter(progress), false);
    runner.load(target);
    assertThat(target.data).hasSize(250).containsKey("user0").containsKey("user249");
    BenchResult result = runner.run(target);
    long reads = result.ops().get(0).count() + result.ops().get(0).errors();
    long updates = result.ops().get(1).count();
    assertThat(reads).isEqualTo(target.reads.get());
    assertThat(updates).isEqualTo(target.writes.get());
    assertThat(result.ops().get(0).errors()).isEqualTo(target.reads.get() / 100);
    assertThat(result.ops().get(0).firstError()).hasValue("IllegalStateException: injected failure");
    assertThat(result.table()).contains("workload A").contains("read").contains("update");
    assertThat(result.json()).startsWith("{\"workload\":\"A\"").contains("\"read\":{\"count\":" + result.ops().get(0).count());
    assertThat(progress.toString()).contains("loaded 250 records");
  }

  @Test
  void anOpenLoopRunKeepsToItsTargetRate() throws Exception {
    BenchConfig config = new BenchConfig(Workload.C, "uniform", 0.99, 10, 0, 2, Duration.ofMillis(1000), 200, 1);
    MapTarget target = new MapTarget();
    BenchResult result = new BenchRunner(config, new PrintWriter(new StringWriter()), false).run(target);
    // 200 ops/s for one second, give or take the schedule's start and end.
    assertThat(target.reads.get()).isBetween(150L, 210L);
    assertThat(result.totalOps() + result.totalErrors()).isEqualTo(target.reads.get());
  }
}
