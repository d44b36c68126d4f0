package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import pando.api.hot.SaltedKeys;
import pando.client.PandoException;
import pando.client.RoutingClient;
import pando.testing.Await;

/**
 * Salting and unsalting under traffic, on a real cluster: an operator pins a read-hot key and a
 * write-hot counter while clients write, read and increment them; the PD fills the copies, spreads
 * reads and increments over them, and, once the keys are removed, empties the copies again. What
 * the clients rely on is checked throughout: a read of the read-hot key never returns a value
 * older than one acknowledged before the read began, and the counter never loses an acknowledged
 * increment or counts one that was never sent.
 */
class HotKeyIT {
  private static final Duration POLL = Duration.ofMillis(300);
  private static final int SALTS = 4;

  @TempDir Path dir;
  private LocalCluster cluster;
  private AdminCli admin;
  private String pd;

  @BeforeEach
  void start() throws Exception {
    cluster = JarCluster.start(dir, 3, 3, "320m", List.of(
        "--initial-nodes=3", "--initial-ranges=4", "--replication=3", "--hot-key-ops=0", "--hot-range-ops=0"));
    pd = JarCluster.pd(cluster);
    admin = new AdminCli(pd);
  }

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private boolean inState(String key, String state) {
    return admin.hotKey(key).map(o -> o.get("state").getAsString().equals(state)).orElse(false);
  }

  private void adminOk(String... args) {
    StringWriter out = new StringWriter();
    assertThat(admin.run(out, args)).as("pando admin %s: %s", String.join(" ", args), out).isZero();
  }

  @Test
  void keysAreSaltedAndUnsaltedWhileClientsUseThemAndNothingAcknowledgedIsLost() throws Exception {
    byte[] readHot = utf8("hot-read");
    byte[] counter = utf8("hot-counter");
    ExecutorService threads = Executors.newFixedThreadPool(6);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong lastAcked = new AtomicLong(-1);
    AtomicLong incrementsAcked = new AtomicLong();
    AtomicLong incrementsSent = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    List<Future<?>> running = new ArrayList<>();
    try (RoutingClient client = RoutingClient.connect(List.of(pd), Duration.ofSeconds(10))) {
      client.put(readHot, utf8("0"));
      lastAcked.set(0);
      // One writer of the read-hot key, values 1, 2, 3, ...
      running.add(threads.submit(() -> {
        for (long n = 1; !stop.get(); n++) {
          try {
            client.put(readHot, utf8(Long.toString(n)));
            lastAcked.set(n);
          } catch (PandoException e) {
            // Not acknowledged: it may or may not have taken effect; the next write supersedes it.
          }
        }
        return null;
      }));
      // Readers: never older than what was acknowledged before the read began.
      for (int r = 0; r < 2; r++) {
        running.add(threads.submit(() -> {
          while (!stop.get()) {
            long before = lastAcked.get();
            try {
              long seen = Long.parseLong(client.get(readHot).map(HotKeyIT::text).orElse("-1"));
              reads.incrementAndGet();
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
      // Incrementers of the counter: sent is counted before, acknowledged after each call.
      for (int w = 0; w < 2; w++) {
        running.add(threads.submit(() -> {
          while (!stop.get()) {
            incrementsSent.incrementAndGet();
            try {
              client.incr(counter, 1);
              incrementsAcked.incrementAndGet();
            } catch (PandoException e) {
              // May or may not have been applied: counted as sent only.
            }
          }
          return null;
        }));
      }
      // A reader of the counter: between what was acknowledged before and sent after the read.
      running.add(threads.submit(() -> {
        while (!stop.get()) {
          long acked = incrementsAcked.get();
          try {
            long value = client.get(counter).map(v -> ByteBuffer.wrap(v).getLong()).orElse(0L);
            long sent = incrementsSent.get();
            if (value < acked || value > sent) {
              violations.add("counter read " + value + " outside [" + acked + ", " + sent + "]");
            }
          } catch (PandoException e) {
            // A read that failed promised nothing.
          }
        }
        return null;
      }));

      Await.until(Duration.ofSeconds(30), POLL, "traffic on both keys", () -> reads.get() > 50 && incrementsAcked.get() > 50);
      adminOk("hotkeys", "add", "hot-read", "--salts", Integer.toString(SALTS));
      adminOk("hotkeys", "add", "hot-counter", "--salts", Integer.toString(SALTS), "--mode", "counter");
      Await.until(Duration.ofSeconds(120), POLL, "both keys salted (ACTIVE)",
          () -> inState("hot-read", "ACTIVE") && inState("hot-counter", "ACTIVE"));
      long readsWhenActive = reads.get();
      long incrementsWhenActive = incrementsAcked.get();
      Await.until(Duration.ofSeconds(60), POLL, "traffic while salted",
          () -> reads.get() > readsWhenActive + 200 && incrementsAcked.get() > incrementsWhenActive + 200);
      // A copy holds the key's value: at least what was acknowledged before this read.
      long beforeCopyRead = lastAcked.get();
      Optional<byte[]> copy = client.get(SaltedKeys.salted(ByteString.copyFrom(readHot), SALTS - 1, SALTS).toByteArray());
      assertThat(copy).as("the last salted copy").isPresent();
      assertThat(Long.parseLong(text(copy.get()))).isGreaterThanOrEqualTo(beforeCopyRead);

      adminOk("hotkeys", "remove", "hot-read");
      adminOk("hotkeys", "remove", "hot-counter");
      Await.until(Duration.ofSeconds(120), POLL, "both keys unsalted (gone from the table)",
          () -> admin.hotKey("hot-read").isEmpty() && admin.hotKey("hot-counter").isEmpty());
      long readsWhenGone = reads.get();
      Await.until(Duration.ofSeconds(60), POLL, "traffic after unsalting", () -> reads.get() > readsWhenGone + 100);
      stop.set(true);
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }

      System.out.printf("HotKeyIT: %d reads, last acknowledged write %d, %d of %d increments acknowledged%n",
          reads.get(), lastAcked.get(), incrementsAcked.get(), incrementsSent.get());
      assertThat(violations).as("what a client saw that it must not").isEmpty();
      assertThat(Long.parseLong(client.get(readHot).map(HotKeyIT::text).orElseThrow()))
          .isGreaterThanOrEqualTo(lastAcked.get());
      long total = client.get(counter).map(v -> ByteBuffer.wrap(v).getLong()).orElseThrow();
      assertThat(total).as("counter after unsalting").isBetween(incrementsAcked.get(), incrementsSent.get());
      // The copies are gone and no longer served.
      PandoException refused = org.junit.jupiter.api.Assertions.assertThrows(PandoException.class,
          () -> client.get(SaltedKeys.salted(ByteString.copyFrom(readHot), 0, SALTS).toByteArray()));
      assertThat(refused.code()).isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
    } finally {
      stop.set(true);
      threads.shutdownNow();
      threads.awaitTermination(30, TimeUnit.SECONDS);
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] value) {
    return new String(value, StandardCharsets.UTF_8);
  }
}
