package pando.maelstrom.run;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Shared settings of the run tests. */
final class RunTests {
  private RunTests() {}

  /** The test class path: Surefire's, or the JVM's in an IDE. */
  static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire : System.getProperty("java.class.path");
  }

  /**
   * A fresh directory {@code target/maelstrom-runs/<name>} (kept after the test, so that node logs,
   * history.jsonl and ops.log of a failing run can be read).
   */
  static Path freshDir(String name) throws java.io.IOException {
    Path dir = Path.of("target", "maelstrom-runs", name).toAbsolutePath();
    if (java.nio.file.Files.exists(dir)) {
      try (var files = java.nio.file.Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    return dir;
  }

  /** A short run against LinKvNode processes on the test class path. */
  static RunConfig config(long seed, Path dir, Duration duration) {
    return RunConfig.defaults(seed, dir, Main.nodeCommand(classPath()))
        .withDuration(duration)
        .withThinkTime(Duration.ofMillis(10))
        .withKeys(5);
  }
}
