package pando.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Concurrent writers of unique keys that remember every acknowledged write, and the audit that
 * every acknowledged write is readable afterwards. Fault tests run it while they break things.
 *
 * <p>A write that fails is not acknowledged: it may or may not have taken effect, so the audit
 * checks only acknowledged ones. Each writer has its own random source derived from the seed.
 */
public final class WriteAudit implements AutoCloseable {
  /** Writes one key; returns normally only if the store acknowledged the write. */
  @FunctionalInterface
  public interface Writer {
    void write(Random random, String key, String value) throws Exception;
  }

  /** Reads one key; empty if absent. */
  @FunctionalInterface
  public interface Reader {
    Optional<String> read(String key) throws Exception;
  }

  private final String name;
  private final long seed;
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>();
  private final AtomicInteger attempted = new AtomicInteger();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final ExecutorService pool;
  private final List<Future<?>> running = new ArrayList<>();

  private WriteAudit(String name, long seed, int writers) {
    this.name = name;
    this.seed = seed;
    this.pool = Executors.newFixedThreadPool(writers);
  }

  /** Starts {@code writers} threads, each writing at most {@code writesMax} keys. */
  public static WriteAudit start(String name, long seed, int writers, int writesMax, Writer writer) {
    System.out.println(name + " seed=" + seed);
    WriteAudit audit = new WriteAudit(name, seed, writers);
    for (int w = 0; w < writers; w++) {
      Random random = new Random(seed + w);
      String prefix = "w" + w + "-";
      audit.running.add(audit.pool.submit(() -> {
        for (int i = 0; i < writesMax && !audit.stop.get(); i++) {
          String key = prefix + i;
          String value = "v" + i;
          audit.attempted.incrementAndGet();
          try {
            writer.write(random, key, value);
            audit.acknowledged.put(key, value);
          } catch (Exception e) {
            // Not acknowledged: only acknowledged writes are audited.
          }
        }
      }));
    }
    return audit;
  }

  public int acknowledgedCount() {
    return acknowledged.size();
  }

  /** Writes tried, acknowledged or not. */
  public int attemptedCount() {
    return attempted.get();
  }

  /** Waits until at least {@code more} further writes are acknowledged. */
  public void awaitMoreAcknowledged(int more, Duration timeout, String what) {
    int target = acknowledged.size() + more;
    Await.until(timeout, more + " acknowledged writes " + what + " (" + name + " seed " + seed + ")",
        () -> acknowledged.size() >= target);
  }

  /** Stops the writers and waits for them. */
  public void stop() throws Exception {
    stop.set(true);
    for (Future<?> f : running) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
  }

  /** Reads back every acknowledged write, prints the audit line, and returns how many were lost. */
  public int lostWrites(Reader reader) throws Exception {
    int lost = 0;
    for (Map.Entry<String, String> write : acknowledged.entrySet()) {
      if (!reader.read(write.getKey()).orElse("").equals(write.getValue())) {
        lost++;
      }
    }
    System.out.printf("%s audit: seed=%d attempted=%d acknowledged=%d verified=%d lost=%d%n",
        name, seed, attempted.get(), acknowledged.size(), acknowledged.size() - lost, lost);
    return lost;
  }

  /** The acknowledged writes, key to value. */
  public Map<String, String> acknowledgedWrites() {
    return Map.copyOf(acknowledged);
  }

  public long seed() {
    return seed;
  }

  @Override
  public void close() {
    if (pool.isShutdown()) {
      return;
    }
    try {
      stop();
    } catch (InterruptedException e) {
      pool.shutdownNow();
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      pool.shutdownNow();
      throw new IllegalStateException("writers did not stop cleanly", e);
    }
  }
}
