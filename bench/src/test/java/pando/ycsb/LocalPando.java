package pando.ycsb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A 3-node cluster with its placement driver, started from the packaged jar exactly as a user does
 * ({@code pando.jar local}), on a base port whose ports are all free, and stopped through the
 * command's own Ctrl-C path (which stops every node it started).
 */
final class LocalPando implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  // 'pando local --base-port B' uses B+1..B+3, B+101..B+103, B+200 and B+201. Bases come from a
  // band away from the ephemeral range the OS hands to other tests' clients and servers.
  private static final int BASE_MIN = 9000;
  private static final int BASE_MAX = 9690;
  private static final int BASE_TRIES_MAX = 50;
  private static final int OUTPUT_LINES_KEPT = 40;

  private final Process process;
  private final int basePort;
  private final Deque<String> output = new ArrayDeque<>();

  private LocalPando(Process process, int basePort) {
    this.process = process;
    this.basePort = basePort;
  }

  static LocalPando start(Path jar, Path dir) throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("no packaged jar at " + jar + "; run 'mvn -pl bench -am verify'");
    }
    int base = freeBase();
    Process process = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-jar", jar.toString(), "local", "--dir", dir.toString(), "--base-port", String.valueOf(base),
        "--node-heap", "384m"))
        .redirectErrorStream(true).start();
    LocalPando cluster = new LocalPando(process, base);
    try {
      cluster.awaitReady();
    } catch (InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  String placementDriver() {
    return "127.0.0.1:" + (basePort + 200);
  }

  private void awaitReady() throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (output) {
            output.addLast(line);
            if (output.size() > OUTPUT_LINES_KEPT) {
              output.removeFirst();
            }
          }
          if (line.startsWith("cluster ready")) {
            ready.countDown();
          }
        }
      } catch (IOException closed) {
        // the process ended; its exit is reported by awaitReady or close
      }
    }, "local-pando-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!ready.await(200, TimeUnit.MILLISECONDS)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("pando local exited with code " + process.exitValue() + ": " + output());
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("pando local not ready after " + READY_TIMEOUT.toSeconds() + " s: " + output());
      }
    }
  }

  private String output() {
    synchronized (output) {
      return String.join(" | ", output);
    }
  }

  private static int freeBase() throws IOException {
    int span = (BASE_MAX - BASE_MIN) / 10;
    for (int i = 0; i < BASE_TRIES_MAX; i++) {
      int base = BASE_MIN + 10 * ThreadLocalRandom.current().nextInt(span + 1);
      if (allFree(base, 1, 2, 3, 101, 102, 103, 200, 201)) {
        return base;
      }
    }
    throw new IOException("no base port in " + BASE_MIN + ".." + BASE_MAX + " with all its ports free");
  }

  private static boolean allFree(int base, int... offsets) {
    for (int offset : offsets) {
      try (ServerSocket probe = new ServerSocket(base + offset, 1, InetAddress.getLoopbackAddress())) {
        probe.setReuseAddress(true);
      } catch (IOException inUse) {
        return false;
      }
    }
    return true;
  }

  /** SIGTERM: 'pando local' stops its nodes and placement driver, then exits. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        // Its children watch its PID and exit when it is gone.
        process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
