package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 20-second `pando bench --local` from the packaged jar, so the benchmark itself cannot rot. */
class BenchSmokeIT {
  @TempDir Path dir;

  @Test
  void benchLocalBulkLoadsRunsAWorkloadAndReportsJson() throws Exception {
    Path out = dir.resolve("out.json");
    Path err = dir.resolve("err.txt");
    Process p = new ProcessBuilder(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-jar", System.getProperty("pando.jar"),
        "bench", "--local", "--duration", "20s", "--records", "500", "--threads", "4", "--workload", "A",
        "--seed", "7", "--json", "--floor", "--bulk-load"))
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("pando bench did not finish; stderr: " + Files.readString(err));
    }
    String json = Files.readString(out).trim();
    System.out.println("BenchSmokeIT: " + json);
    assertThat(p.exitValue()).as("exit code; stderr: %s", Files.readString(err)).isZero();
    assertThat(json).startsWith("{\"workload\":\"A\"").contains("\"seed\":7");
    Matcher total = Pattern.compile("\"total_ops\":(\\d+)").matcher(json);
    assertThat(total.find()).isTrue();
    assertThat(Long.parseLong(total.group(1))).isPositive();
    // Loaded through the bulk loader (the path bench/large.sh grows its data set with); the batched
    // puts of the default load are covered by BenchRunnerTest.
    assertThat(Files.readString(err)).contains("bulk-loaded records 0..499").contains("run  [");
    // The routing client was used (the default), and the machine's floor was measured.
    assertThat(Files.readString(err)).contains("routing to range leaders");
    assertThat(json).contains("\"floor\":{\"fsync_4k_p50_ms\":").contains("\"write_p50_in_floors\":");
    // The local cluster's own processes were measured: nodes and placement driver, and the runner.
    assertThat(json).containsPattern("\"cpu_ms_per_op\":\\{\"nodes\":[0-9.]+,\"pd\":[0-9.]+\\}")
        .containsPattern("\"runner_cores\":[0-9.]+");
  }
}
