package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.client.PandoException;
import pando.client.RoutingClient;
import pando.testing.Await;

/**
 * Detection end to end, with no operator: a key read far more than any other is reported by its
 * range's leader, found by the placement driver's detector, salted and made ACTIVE, while a key
 * read at a modest rate stays plain; clients keep reading the hot key's latest acknowledged value
 * throughout.
 */
class DetectedHotKeyIT {
  private static final Duration POLL = Duration.ofMillis(300);

  @TempDir Path dir;
  private LocalCluster cluster;
  private AdminCli admin;
  private String pd;

  @BeforeEach
  void start() throws Exception {
    // Thresholds a laptop-sized run reaches: hot at 50 certain ops/s for 3 s, a copy per 100 ops/s.
    cluster = JarCluster.start(dir, 3, 3, "320m", List.of("--initial-nodes=3", "--initial-ranges=4",
        "--replication=3", "--hot-range-ops=0", "--hot-key-ops=50", "--hot-key-window=3s",
        "--hot-key-copy-ops=100"));
    pd = JarCluster.pd(cluster);
    admin = new AdminCli(pd);
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aKeyReadFarMoreThanOthersIsSaltedByThePlacementDriverAlone() throws Exception {
    byte[] hot = "celebrity".getBytes(StandardCharsets.UTF_8);
    byte[] mild = "bystander".getBytes(StandardCharsets.UTF_8);
    ExecutorService threads = Executors.newFixedThreadPool(3);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong lastAcked = new AtomicLong();
    AtomicLong hotReads = new AtomicLong();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    List<Future<?>> running = new ArrayList<>();
    try (RoutingClient client = RoutingClient.connect(List.of(pd), Duration.ofSeconds(10))) {
      client.put(hot, bytes(0));
      client.put(mild, bytes(0));
      // Two readers of the hot key, each read checked against what was acknowledged before it.
      for (int r = 0; r < 2; r++) {
        running.add(threads.submit(() -> {
          while (!stop.get()) {
            long before = lastAcked.get();
            try {
              long seen = client.get(hot).map(DetectedHotKeyIT::number).orElse(-1L);
              hotReads.incrementAndGet();
              if (seen < before) {
                violations.add("read " + seen + " after " + before + " was acknowledged");
              }
            } catch (PandoException e) {
              // A read that failed promised nothing.
            }
          }
          return null;
        }));
      }
      // Now and then a write of the hot key (so copies must follow it), and a read of the mild one.
      running.add(threads.submit(() -> {
        for (long n = 1; !stop.get(); n++) {
          try {
            client.put(hot, bytes(n));
            lastAcked.set(n);
            client.get(mild);
          } catch (PandoException e) {
            // Not acknowledged; the next write supersedes it.
          }
          Thread.sleep(50); // paces the writer: a read-hot key is one read far more than written
        }
        return null;
      }));

      Await.until(Duration.ofSeconds(120), POLL, "the hot key salted by the placement driver (ACTIVE)",
          () -> admin.hotKey("celebrity").map(o -> o.get("state").getAsString().equals("ACTIVE")).orElse(false));
      JsonObject salted = admin.hotKey("celebrity").orElseThrow();
      long readsWhenActive = hotReads.get();
      Await.until(Duration.ofSeconds(60), POLL, "reads while salted", () -> hotReads.get() > readsWhenActive + 200);
      stop.set(true);
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }

      assertThat(salted.get("origin").getAsString()).isEqualTo("DETECTED");
      assertThat(salted.get("mode").getAsString()).isEqualTo("READ_HOT");
      assertThat(salted.get("salts").getAsInt()).isBetween(2, 16);
      assertThat(admin.hotKey("bystander")).as("a key read at a modest rate stays plain").isEmpty();
      assertThat(violations).as("what a reader saw that it must not").isEmpty();
      assertThat(client.get(hot).map(DetectedHotKeyIT::number)).contains(lastAcked.get());
    } finally {
      stop.set(true);
      threads.shutdownNow();
      threads.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private static byte[] bytes(long n) {
    return Long.toString(n).getBytes(StandardCharsets.UTF_8);
  }

  private static long number(byte[] value) {
    return Long.parseLong(new String(value, StandardCharsets.UTF_8));
  }
}
