package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.client.PandoClient;
import pando.client.PandoException;
import pando.node.ClusterMember;
import pando.v1.ReadConsistency;

/**
 * A real cluster of node processes from the packaged jar: every node in turn is killed with
 * SIGKILL while clients write, then restarted on its data directory after the others wrote more.
 * Every node leads some range at some point, so every range's leader dies at least once.
 */
class LocalClusterIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  private LocalCluster cluster;
  private final List<PandoClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    List<ClusterMember> members = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      members.add(new ClusterMember("n" + i, "127.0.0.1", freePort(), freePort()));
    }
    String jar = System.getProperty("pando.jar");
    assertThat(Path.of(jar)).as("the packaged jar").exists();
    cluster = new LocalCluster(dir, members, List.of("--initial-ranges=6"), "384m", jar);
    for (int i = 0; i < 3; i++) {
      cluster.start(i);
    }
    for (int i = 0; i < 3; i++) {
      cluster.awaitReady(i, LocalCluster.READY_TIMEOUT);
      clients.add(PandoClient.connect(members.get(i).apiAddress(), Duration.ofSeconds(3)));
    }
  }

  @AfterEach
  void stop() {
    clients.forEach(PandoClient::close);
    if (cluster != null) {
      cluster.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void killingEachNodeUnderWritesLosesNoAcknowledgedWriteAndRestartsCatchUp() throws Exception {
    long seed = System.nanoTime();
    System.out.println("LocalClusterIT seed=" + seed);
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger attempted = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    boolean[] down = new boolean[3];
    ExecutorService writers = Executors.newFixedThreadPool(3);
    List<Future<?>> running = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      Random random = new Random(seed + w);
      int writer = w;
      running.add(writers.submit(() -> {
        for (int i = 0; i < 20_000 && !stop.get(); i++) {
          int node = random.nextInt(3);
          if (down[node]) {
            continue;
          }
          String key = "w" + writer + "-" + i;
          attempted.incrementAndGet();
          try {
            clients.get(node).put(key.getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8));
            acknowledged.put(key, "v" + i);
          } catch (PandoException e) {
            // Not acknowledged: it may or may not have been applied; only acknowledged writes are audited.
          }
        }
      }));
    }
    try {
      for (int victim = 0; victim < 3; victim++) {
        int before = acknowledged.size();
        awaitAcknowledged(acknowledged, before + 150, "writes before killing n" + (victim + 1));
        down[victim] = true;
        Process p = cluster.process(victim).orElseThrow();
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        int atKill = acknowledged.size();
        awaitAcknowledged(acknowledged, atKill + 150, "writes while n" + (victim + 1) + " is down");
        cluster.start(victim);
        cluster.awaitReady(victim, LocalCluster.READY_TIMEOUT);
        down[victim] = false;
        System.out.printf("LocalClusterIT: killed and restarted n%d; acknowledged so far %d%n", victim + 1, acknowledged.size());
      }
    } finally {
      stop.set(true);
      for (Future<?> f : running) {
        f.get(60, TimeUnit.SECONDS);
      }
      writers.shutdown();
    }

    int lost = 0;
    for (Map.Entry<String, String> write : acknowledged.entrySet()) {
      var read = clients.get(lost % 3).get(write.getKey().getBytes(StandardCharsets.UTF_8));
      if (read.isEmpty() || !new String(read.get(), StandardCharsets.UTF_8).equals(write.getValue())) {
        lost++;
      }
    }
    System.out.printf("LocalClusterIT audit: seed=%d attempted=%d acknowledged=%d verified=%d lost=%d%n",
        seed, attempted.get(), acknowledged.size(), acknowledged.size() - lost, lost);
    assertThat(lost).as("acknowledged writes lost (seed %d)", seed).isZero();

    // Every restarted replica catches up: its own stale reads agree with what was acknowledged.
    for (int node = 0; node < 3; node++) {
      PandoClient client = clients.get(node);
      long deadline = System.nanoTime() + WAIT.toNanos();
      for (Map.Entry<String, String> write : acknowledged.entrySet()) {
        byte[] key = write.getKey().getBytes(StandardCharsets.UTF_8);
        while (!client.get(key, ReadConsistency.STALE).map(v -> new String(v, StandardCharsets.UTF_8))
            .orElse("").equals(write.getValue())) {
          assertThat(System.nanoTime()).as("node n%d catches up on %s", node + 1, write.getKey()).isLessThan(deadline);
          TimeUnit.MILLISECONDS.sleep(50);
        }
      }
    }
  }

  private static void awaitAcknowledged(Map<String, String> acknowledged, int count, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (acknowledged.size() < count) {
      assertThat(System.nanoTime()).as("timed out waiting for %d %s", count, what).isLessThan(deadline);
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  @Test
  void theCommandLineWorksAgainstARealCluster() throws Exception {
    String endpoint = cluster.members().get(1).apiAddress();
    assertThat(pando("put", "tour", "hello", "-e", endpoint)).isEqualTo(new Cli(0, "OK", ""));
    assertThat(pando("get", "tour", "-e", cluster.members().get(2).apiAddress())).isEqualTo(new Cli(0, "hello", ""));
    assertThat(pando("incr", "tour-counter", "5", "-e", endpoint)).isEqualTo(new Cli(0, "5", ""));
    assertThat(pando("get", "absent-key", "-e", endpoint)).isEqualTo(new Cli(1, "", "not found"));
    Path big = dir.resolve("too-big.bin");
    Files.write(big, new byte[1024 * 1024 + 1]);
    Cli tooBig = pando("put", "tour", "--file", big.toString(), "-e", endpoint);
    assertThat(tooBig.exitCode()).isEqualTo(1);
    assertThat(tooBig.err()).isEqualTo("error: invalid request: value is 1048577 bytes; the limit is 1048576 bytes");
    assertThat(pando("get", "tour", "-e", endpoint).out()).isEqualTo("hello");
    Cli counterAsText = pando("incr", "tour", "-e", endpoint);
    assertThat(counterAsText.exitCode()).isEqualTo(1);
    assertThat(counterAsText.err()).startsWith("error: failed precondition:").contains("not an 8-byte counter");
  }

  private record Cli(int exitCode, String out, String err) {}

  private Cli pando(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-jar", System.getProperty("pando.jar")));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("pando " + String.join(" ", args) + " did not finish");
    }
    return new Cli(p.exitValue(), Files.readString(out).trim(), Files.readString(err).trim());
  }
}
