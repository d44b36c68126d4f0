package pando.client;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import pando.api.RequestLimits;

/**
 * Writes a stream of records as fast as the cluster takes them: records are grouped by range and
 * sent as batches (each batch is one range's, so it is written whole or not at all), with a bounded
 * number of batches in flight. A record the API refuses (a bad key, a value over the limit) is
 * rejected with the reason and never written; the others go on.
 *
 * <p>Progress is reported as a confirmed position: every record at or before it is written or
 * rejected, so a load that stops (a crash, Ctrl-C, a failure it could not retry) can start again
 * after it. Records after it may have been written already; writing them again leaves the same
 * value, so a rerun ends with every record present once.
 */
public final class BulkLoad {
  /** A record: its position in the input (1 for the first, increasing), key and value. */
  public record Record(long position, byte[] key, byte[] value) {}

  /** A record that was not written, and why. */
  public record Rejection(long position, String reason) {}

  /**
   * @param batchKeys records per batch, at most {@link RequestLimits#DEFAULT_MAX_BATCH_ENTRIES}
   * @param batchBytes bytes of keys and values per batch
   * @param batchesInFlight batches sent and not yet answered, at most
   * @param rejectionsKept rejections kept for the result (all are counted)
   * @param progressEvery how often progress is reported
   * @param batchTimeout how long one batch may take, retries included, before the load stops: long
   *     enough to ride out a range that has no leader for a while, as after a split or a node's
   *     failure under load (a request's usual 10 s is not)
   */
  public record Options(int batchKeys, int batchBytes, int batchesInFlight, int rejectionsKept,
      Duration progressEvery, Duration batchTimeout) {
    public Options {
      if (batchKeys < 1 || batchKeys > RequestLimits.DEFAULT_MAX_BATCH_ENTRIES) {
        throw new IllegalArgumentException("batch keys must be 1.." + RequestLimits.DEFAULT_MAX_BATCH_ENTRIES
            + ", got " + batchKeys);
      }
      if (batchBytes < 1 || batchBytes > RequestLimits.DEFAULT_MAX_BATCH_BYTES) {
        throw new IllegalArgumentException("batch bytes must be 1.." + RequestLimits.DEFAULT_MAX_BATCH_BYTES
            + ", got " + batchBytes);
      }
      if (batchesInFlight < 1 || batchesInFlight > 256) {
        throw new IllegalArgumentException("batches in flight must be 1..256, got " + batchesInFlight);
      }
      if (rejectionsKept < 0) {
        throw new IllegalArgumentException("rejections kept must not be negative, got " + rejectionsKept);
      }
      if (batchTimeout.isNegative() || batchTimeout.isZero()) {
        throw new IllegalArgumentException("batch timeout must be positive, got " + batchTimeout);
      }
    }

    static final Duration DEFAULT_BATCH_TIMEOUT = Duration.ofMinutes(2);

    /**
     * 1,000 keys or 1 MiB a batch, 8 batches in flight, the first 100 rejections, progress every
     * second, 2 minutes a batch.
     */
    public static Options defaults() {
      return new Options(RequestLimits.DEFAULT_MAX_BATCH_ENTRIES, 1 << 20, 8, 100, Duration.ofSeconds(1),
          DEFAULT_BATCH_TIMEOUT);
    }
  }

  /** Where the load stands: records written and rejected, and the confirmed position. */
  public record Progress(long written, long rejected, long confirmedPosition) {}

  /** What a finished load did; {@code rejections} holds the first {@link Options#rejectionsKept}. */
  public record Result(long written, long rejected, List<Rejection> rejections, long confirmedPosition) {}

  /** How batches reach the cluster. */
  interface Writer {
    /** Writes the records, all of one group, as one batch; throws a {@link PandoException} if it could not. */
    void write(List<Record> batch);

    /** The group (range) of a key, as far as the writer knows; one group per batch. */
    long groupOf(byte[] key);
  }

  /** Thrown when a batch could not be written even after the client's retries: the load stops. */
  public static final class LoadFailed extends RuntimeException {
    private final transient Progress progress;

    LoadFailed(String message, Progress progress, Throwable cause) {
      super(message, cause);
      this.progress = progress;
    }

    /** Where the load stood when it stopped: a rerun may start after {@code confirmedPosition}. */
    public Progress progress() {
      return progress;
    }
  }

  private final Writer writer;
  private final RequestLimits limits;
  private final Options options;
  private final java.util.function.Consumer<Progress> onProgress;
  // Positions of records read and not yet written or rejected (a multiset: position -> count).
  private final TreeMap<Long, Integer> pending = new TreeMap<>();
  private final Map<Long, List<Record>> buffered = new HashMap<>();
  private final Map<Long, Integer> bufferedBytes = new HashMap<>();
  private final List<Rejection> rejections = new ArrayList<>();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private long written;
  private long rejected;
  private long lastRead;
  private int bufferedRecords;

  private BulkLoad(Writer writer, RequestLimits limits, Options options,
      java.util.function.Consumer<Progress> onProgress) {
    this.writer = writer;
    this.limits = limits;
    this.options = options;
    this.onProgress = onProgress;
  }

  /** Loads every record of {@code records}; see the class comment. */
  static Result run(Iterator<Record> records, Writer writer, RequestLimits limits, Options options,
      java.util.function.Consumer<Progress> onProgress) {
    return new BulkLoad(writer, limits, options, onProgress).run(records);
  }

  private Result run(Iterator<Record> records) {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService senders = Executors.newFixedThreadPool(options.batchesInFlight(), task -> {
      Thread t = new Thread(task, "pando-load-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    Semaphore inFlight = new Semaphore(options.batchesInFlight());
    long nextProgressNanos = System.nanoTime();
    try {
      while (records.hasNext() && failure.get() == null) {
        Record record = records.next();
        accept(record, senders, inFlight);
        if (System.nanoTime() - nextProgressNanos >= 0) {
          onProgress.accept(progress());
          nextProgressNanos = System.nanoTime() + options.progressEvery().toNanos();
        }
      }
      for (Long group : new ArrayList<>(buffered.keySet())) {
        if (failure.get() == null) {
          send(group, senders, inFlight);
        }
      }
      inFlight.acquireUninterruptibly(options.batchesInFlight());
    } finally {
      senders.shutdownNow();
    }
    Progress last = progress();
    onProgress.accept(last);
    if (failure.get() != null) {
      throw new LoadFailed("the load stopped: " + failure.get().getMessage() + "; records up to #"
          + last.confirmedPosition() + " are written or rejected, so a rerun can go on from there",
          last, failure.get());
    }
    synchronized (this) {
      return new Result(written, rejected, List.copyOf(rejections), last.confirmedPosition());
    }
  }

  private void accept(Record record, ExecutorService senders, Semaphore inFlight) {
    if (record.position() <= lastRead) {
      throw new IllegalArgumentException("record positions must increase: #" + record.position() + " after #" + lastRead);
    }
    lastRead = record.position();
    Optional<String> problem = limits.checkKeyAndValue(ByteString.copyFrom(record.key()), ByteString.copyFrom(record.value()));
    synchronized (this) {
      if (problem.isPresent()) {
        reject(record.position(), problem.get());
        return;
      }
      pending.merge(record.position(), 1, Integer::sum);
    }
    long group = writer.groupOf(record.key());
    List<Record> batch = buffered.computeIfAbsent(group, g -> new ArrayList<>());
    batch.add(record);
    int bytes = bufferedBytes.merge(group, record.key().length + record.value().length, Integer::sum);
    bufferedRecords++;
    if (batch.size() >= options.batchKeys() || bytes >= options.batchBytes()) {
      send(group, senders, inFlight);
    } else if (bufferedRecords > options.batchKeys() * options.batchesInFlight()) {
      // Many ranges, few records each: send the fullest batch rather than buffer without bound.
      long fullest = buffered.entrySet().stream().max(java.util.Comparator.comparingInt(e -> e.getValue().size()))
          .orElseThrow().getKey();
      send(fullest, senders, inFlight);
    }
  }

  private void send(long group, ExecutorService senders, Semaphore inFlight) {
    List<Record> batch = buffered.remove(group);
    bufferedBytes.remove(group);
    bufferedRecords -= batch.size();
    inFlight.acquireUninterruptibly();
    senders.execute(() -> {
      try {
        write(batch);
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
      } finally {
        inFlight.release();
      }
    });
  }

  /** Writes a batch; if the API refuses it as a whole, writes its records one by one to find which. */
  private void write(List<Record> batch) {
    try {
      writer.write(batch);
      done(batch, null);
    } catch (PandoException e) {
      if (e.code() != Status.Code.INVALID_ARGUMENT) {
        throw e;
      }
      if (batch.size() == 1) {
        done(batch, e.getMessage());
        return;
      }
      for (Record record : batch) {
        write(List.of(record));
      }
    }
  }

  private synchronized void done(List<Record> batch, String rejectedBecause) {
    for (Record record : batch) {
      pending.computeIfPresent(record.position(), (p, n) -> n == 1 ? null : n - 1);
      if (rejectedBecause == null) {
        written++;
      } else {
        reject(record.position(), rejectedBecause);
      }
    }
  }

  private void reject(long position, String reason) {
    rejected++;
    if (rejections.size() < options.rejectionsKept()) {
      rejections.add(new Rejection(position, reason));
    }
  }

  private synchronized Progress progress() {
    long confirmed = pending.isEmpty() ? lastRead : pending.firstKey() - 1;
    return new Progress(written, rejected, confirmed);
  }
}
