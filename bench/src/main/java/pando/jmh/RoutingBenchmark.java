package pando.jmh;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import pando.api.KeyHash;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeTable;
import pando.api.range.RouteCache;

/**
 * What every request pays before it leaves a client or a node: hashing the key and finding the
 * range that holds the hash, in the table (nodes) and in the client's route cache.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutingBenchmark {
  private static final int KEYS = 4096;

  @Param({"8", "1024"})
  int ranges;

  @Param({"16", "256"})
  int keyBytes;

  private byte[][] keys;
  private RangeTable table;
  private RouteCache cache;
  private final SplittableRandom random = new SplittableRandom(7);

  @Setup
  public void build() {
    keys = new byte[KEYS][keyBytes];
    for (byte[] key : keys) {
      random.nextBytes(key);
    }
    List<List<String>> replicas = new ArrayList<>();
    for (int i = 0; i < ranges; i++) {
      replicas.add(List.of("n1", "n2", "n3"));
    }
    table = RangeTable.initial(replicas);
    cache = RouteCache.of(table);
  }

  @Benchmark
  public long hashKey() {
    return KeyHash.of(keys[random.nextInt(KEYS)]);
  }

  @Benchmark
  public RangeDescriptor locateInTable() {
    return table.locate(keys[random.nextInt(KEYS)]);
  }

  @Benchmark
  public Object locateInClientCache() {
    return cache.locate(keys[random.nextInt(KEYS)]);
  }
}
