package pando.storebench;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.SplitCommand;
import pando.store.KvStore;
import pando.v1.BatchPutRequest;
import pando.v1.KeyValue;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One replica's store at the size a range splits at: how long applying writes, a split, a snapshot
 * and a restore take, with the store class every replica runs, on this machine's disk. No Raft
 * and no network: these are the costs a replica pays on its apply thread, which hold the range's
 * other commands back while they run.
 */
@Command(name = "store-bench", mixinStandardHelpOptions = true,
    description = "Times a replica's store: batched writes, a split at the median, a snapshot, a restore.")
public final class StoreBenchMain implements Callable<Integer> {
  @Option(names = "--keys", defaultValue = "550000",
      description = "Keys to load (default: ${DEFAULT-VALUE}, about 64 MiB of 14-byte keys and 100-byte values).")
  int keys;

  @Option(names = "--value-bytes", defaultValue = "100", description = "Bytes per value (default: ${DEFAULT-VALUE}).")
  int valueBytes;

  @Option(names = "--batch-keys", defaultValue = "1000", description = "Keys per applied batch (default: ${DEFAULT-VALUE}).")
  int batchKeys;

  @Option(names = "--runs", defaultValue = "3", description = "Runs, each on a new store; the table shows medians (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(names = "--dir", description = "Where to put the store files (default: a new temporary directory, deleted after).")
  Path dir;

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** The figures of one run; times in milliseconds, except the per-key ones in microseconds. */
  record Run(double applyMicrosPerKey, double applyCpuMicrosPerKey, long fileBytes, double splitMillis,
      double leftoverMillis, double leftoverChunkMaxMillis, double snapshotMillis, double restoreMillis) {}

  @Override
  public Integer call() throws Exception {
    if (keys < 2 || valueBytes < 0 || batchKeys < 1 || runs < 1) {
      throw new CommandLine.ParameterException(new CommandLine(this),
          "--keys must be at least 2, --batch-keys and --runs at least 1, --value-bytes not negative");
    }
    Path base = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("pando-store-bench");
    List<Run> results = new ArrayList<>();
    try {
      for (int run = 1; run <= runs; run++) {
        Run r = runOnce(base.resolve("run-" + run), run);
        System.err.printf("run %d of %d done%n", run, runs);
        results.add(r);
      }
    } finally {
      if (dir == null) {
        deleteTree(base);
      }
    }
    System.out.printf("%,d keys of %d-byte values, batches of %,d, median of %d runs%n", keys, valueBytes, batchKeys, runs);
    print("apply, wall per key", results, Run::applyMicrosPerKey, "us");
    print("apply, CPU per key", results, Run::applyCpuMicrosPerKey, "us");
    print("store file", results, r -> r.fileBytes() / (1024.0 * 1024.0), "MiB");
    print("split at the median (writes held)", results, Run::splitMillis, "ms");
    print("leftovers removed, in total", results, Run::leftoverMillis, "ms");
    print("leftovers removed, longest chunk", results, Run::leftoverChunkMaxMillis, "ms");
    print("snapshot of the left half", results, Run::snapshotMillis, "ms");
    print("restore of that snapshot", results, Run::restoreMillis, "ms");
    return 0;
  }

  private Run runOnce(Path runDir, int seed) throws IOException {
    Random random = new Random(seed);
    long index = 0;
    try (KvStore store = KvStore.open(runDir.resolve("live/data.db"))) {
      long cpu0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      for (int first = 0; first < keys; first += batchKeys) {
        BatchPutRequest.Builder batch = BatchPutRequest.newBuilder();
        for (int i = first; i < Math.min(keys, first + batchKeys); i++) {
          byte[] value = new byte[valueBytes];
          random.nextBytes(value);
          batch.addEntries(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(String.format("user%010d", i)))
              .setValue(ByteString.copyFrom(value)));
        }
        store.apply(1, ++index, RangeCommand.newBuilder().setBatchPut(batch).build());
      }
      store.flush();
      double applyMicros = (System.nanoTime() - t0) / 1e3 / keys;
      double applyCpuMicros = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e3 / keys;
      long fileBytes = Files.size(runDir.resolve("live/data.db"));

      long t1 = System.nanoTime();
      store.split(1, ++index, SplitCommand.newBuilder().setNewRangeId(2).setExpectedVersion(1).build(),
          runDir.resolve("seed.db")).orElseThrow();
      double splitMillis = (System.nanoTime() - t1) / 1e6;

      double leftoverMillis = 0;
      double longestChunk = 0;
      boolean more = true;
      while (more) {
        long c = System.nanoTime();
        more = store.removeLeftovers(256);
        double chunk = (System.nanoTime() - c) / 1e6;
        leftoverMillis += chunk;
        longestChunk = Math.max(longestChunk, chunk);
      }
      store.flush();

      long t2 = System.nanoTime();
      store.writeSnapshot(runDir.resolve("snapshot.db"), 1, index);
      double snapshotMillis = (System.nanoTime() - t2) / 1e6;
      long t3 = System.nanoTime();
      try (KvStore restored = KvStore.restore(runDir.resolve("snapshot.db"), runDir.resolve("restored/data.db"))) {
        double restoreMillis = (System.nanoTime() - t3) / 1e6;
        if (restored.keyCount() != store.keyCount()) {
          throw new IllegalStateException("restored " + restored.keyCount() + " keys of " + store.keyCount());
        }
        return new Run(applyMicros, applyCpuMicros, fileBytes, splitMillis, leftoverMillis, longestChunk,
            snapshotMillis, restoreMillis);
      }
    } finally {
      deleteTree(runDir);
    }
  }

  private static void print(String what, List<Run> runs, ToDoubleFunction<Run> figure, String unit) {
    double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
    System.out.printf("  %-38s %10.1f %-3s (runs: %s)%n", what, values[values.length / 2], unit,
        Arrays.stream(runs.stream().mapToDouble(figure).toArray()).mapToObj(v -> String.format("%.1f", v))
            .reduce((a, b) -> a + ", " + b).orElse(""));
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new StoreBenchMain()).execute(args));
  }
}
