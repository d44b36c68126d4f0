package pando.jmh;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import pando.internal.v1.RangeCommand;
import pando.store.KvStore;
import pando.v1.BatchGetResponse;
import pando.v1.PutRequest;

/**
 * One replica's store, the part of every write and read that runs on the Raft apply thread or under
 * the store's read lock: applying a put to the MapDB tree, reading a key, and the grouped MapDB
 * commit that a flush makes (every 10 s in a node).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StoreBenchmark {
  private static final int KEYS = 10_000;

  @Param({"100", "1000"})
  int valueBytes;

  private Path dir;
  private KvStore store;
  private ByteString[] keys;
  private RangeCommand[] puts;
  private long index;
  private final SplittableRandom random = new SplittableRandom(42);

  @Setup(Level.Trial)
  public void open() throws IOException {
    dir = Files.createTempDirectory("pando-jmh-store");
    store = KvStore.open(dir.resolve("data.db"));
    keys = new ByteString[KEYS];
    puts = new RangeCommand[KEYS];
    byte[] value = new byte[valueBytes];
    random.nextBytes(value);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = ByteString.copyFromUtf8("user" + i);
      puts[i] = RangeCommand.newBuilder()
          .setPut(PutRequest.newBuilder().setKey(keys[i]).setValue(ByteString.copyFrom(value)))
          .build();
      store.apply(1, ++index, puts[i]);
    }
    store.flush();
  }

  @TearDown(Level.Trial)
  public void close() throws IOException {
    store.close();
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** A put applied by the state machine: the MapDB tree update plus the applied index. */
  @Benchmark
  public Object applyPut() {
    return store.apply(1, ++index, puts[random.nextInt(KEYS)]);
  }

  /** A linearizable read's work once the lease is checked: one key from the tree. */
  @Benchmark
  public BatchGetResponse readOneKey() {
    return store.read(List.of(keys[random.nextInt(KEYS)]));
  }

  /** One grouped commit after 64 puts: what a node paid per 64 writes before commits became rare. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void commitAfter64Puts() {
    for (int i = 0; i < 64; i++) {
      store.apply(1, ++index, puts[random.nextInt(KEYS)]);
    }
    store.flush();
  }
}
