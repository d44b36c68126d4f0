package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.client.PandoClient;
import pando.node.ClusterMember;
import pando.testing.Await;
import pando.testing.WriteAudit;
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
    List<ClusterMember> members = LocalCluster.onFreePorts(3);
    String jar = System.getProperty("pando.jar");
    assertThat(Path.of(jar)).as("the packaged jar").exists();
    cluster = new LocalCluster(dir, members, List.of("--initial-ranges=6"), "384m", jar);
    cluster.startAll(LocalCluster.READY_TIMEOUT, i -> { });
    for (int i = 0; i < 3; i++) {
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

  @Test
  void killingEachNodeUnderWritesLosesNoAcknowledgedWriteAndRestartsCatchUp() throws Exception {
    boolean[] down = new boolean[3];
    WriteAudit.Writer putThroughAnyUpNode = (random, key, value) -> {
      int node = random.nextInt(3);
      if (down[node]) {
        throw new IllegalStateException("node down");
      }
      clients.get(node).put(utf8(key), utf8(value));
    };
    try (WriteAudit audit = WriteAudit.start("LocalClusterIT", System.nanoTime(), 3, 20_000, putThroughAnyUpNode)) {
      for (int victim = 0; victim < 3; victim++) {
        audit.awaitMoreAcknowledged(150, WAIT, "before killing n" + (victim + 1));
        down[victim] = true;
        cluster.process(victim).orElseThrow().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        audit.awaitMoreAcknowledged(150, WAIT, "while n" + (victim + 1) + " is down");
        cluster.start(victim);
        cluster.awaitReady(victim, LocalCluster.READY_TIMEOUT);
        down[victim] = false;
        System.out.printf("LocalClusterIT: killed and restarted n%d; acknowledged so far %d%n",
            victim + 1, audit.acknowledgedCount());
      }
      audit.stop();

      int[] reads = {0};
      int lost = audit.lostWrites(key -> clients.get(reads[0]++ % 3).get(utf8(key)).map(LocalClusterIT::text));
      assertThat(lost).as("acknowledged writes lost (seed %d)", audit.seed()).isZero();

      // Every restarted replica catches up: its own stale reads agree with what was acknowledged.
      for (int node = 0; node < 3; node++) {
        PandoClient client = clients.get(node);
        for (Map.Entry<String, String> write : audit.acknowledgedWrites().entrySet()) {
          Await.until(WAIT, "n" + (node + 1) + " catches up on " + write.getKey(), () ->
              client.get(utf8(write.getKey()), ReadConsistency.STALE).map(LocalClusterIT::text)
                  .orElse("").equals(write.getValue()));
        }
      }
    }
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
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
