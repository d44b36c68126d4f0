package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.client.RoutingClient;
import pando.v1.ReadConsistency;

/**
 * {@code pando load} against a real cluster: killed with SIGKILL part way, then run again, it ends
 * with every good record present with its value, skips what the first run confirmed, and lists the
 * lines it rejected.
 */
class LoadIT {
  private static final int RECORDS = 30_000;
  private static final Duration CHECKPOINT_PROGRESS_WITHIN = Duration.ofSeconds(90);

  @TempDir Path dir;

  private static String key(int i) {
    return "load-" + i;
  }

  private static String value(int i) {
    return "value of record " + i + " " + "x".repeat(i % 50);
  }

  @Test
  void aKilledLoadRunAgainEndsWithEveryRecordOnceAndListsTheRejectedLines() throws Exception {
    Path input = dir.resolve("records.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      lines.add("{\"key\": \"" + key(i) + "\", \"value\": \"" + value(i) + "\"}");
    }
    lines.add("not json at all");
    lines.add("{\"key\": \"\", \"value\": \"an empty key\"}");
    lines.add("{\"key\": \"no value\"}");
    Files.write(input, lines, StandardCharsets.UTF_8);
    Path checkpoint = dir.resolve("records.jsonl.pando-load");

    LocalCluster cluster = JarCluster.start(dir.resolve("cluster"), 3, 3, "256m", List.of());
    try {
      // Small batches, one at a time: the first run is still loading when it is killed.
      Process first = load(cluster, input, "--batch-keys", "50", "--in-flight", "1");
      long deadline = System.nanoTime() + CHECKPOINT_PROGRESS_WITHIN.toNanos();
      while (confirmedLine(checkpoint).orElse(0L) < 1_000) {
        assertThat(first.isAlive()).as("the first load is still running when it is killed").isTrue();
        assertThat(System.nanoTime()).as("checkpoint progress within %s", CHECKPOINT_PROGRESS_WITHIN).isLessThan(deadline);
        Thread.sleep(200); // polling period of a bounded wait
      }
      first.destroyForcibly();
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      long confirmed = confirmedLine(checkpoint).orElseThrow();
      assertThat(confirmed).isBetween(1_000L, (long) RECORDS - 1);

      Process second = load(cluster, input);
      String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).as("exit 1: lines were rejected; output:%n%s", output).isEqualTo(1);
      assertThat(output).contains("lines 1..", "skipped (loaded by an earlier run)", "3 rejected")
          .contains("line 30,001: not JSON", "line 30,002: key must not be empty",
              "line 30,003: a JSON line needs string fields");

      try (RoutingClient client = RoutingClient.connect(List.of(JarCluster.pd(cluster)), Duration.ofSeconds(10))) {
        for (int from = 0; from < RECORDS; from += 1000) {
          List<byte[]> keys = new ArrayList<>();
          for (int i = from; i < from + 1000; i++) {
            keys.add(key(i).getBytes(StandardCharsets.UTF_8));
          }
          List<Optional<byte[]>> values = client.batchGet(keys, ReadConsistency.LINEARIZABLE);
          for (int i = 0; i < values.size(); i++) {
            assertThat(values.get(i)).as("record %d", from + i).isPresent();
            assertThat(new String(values.get(i).orElseThrow(), StandardCharsets.UTF_8)).isEqualTo(value(from + i));
          }
        }
      }
    } finally {
      cluster.close();
    }
  }

  private static Process load(LocalCluster cluster, Path input, String... extra) throws IOException {
    List<String> command = new ArrayList<>(List.of("java", "-jar", System.getProperty("pando.jar"), "load",
        input.toString(), "--pd", JarCluster.pd(cluster)));
    command.addAll(List.of(extra));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static Optional<Long> confirmedLine(Path checkpoint) throws IOException {
    if (!Files.exists(checkpoint)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(checkpoint)) {
      p.load(in);
    }
    return Optional.ofNullable(p.getProperty("confirmed-line")).map(Long::parseLong);
  }
}
