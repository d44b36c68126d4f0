package pando.maelstrom.harness;

import java.nio.file.Path;
import java.util.List;

/** The command line that runs a test class's {@code main} in a fresh, small, quick-starting JVM. */
final class JavaCommand {
  private JavaCommand() {}

  static List<String> forMain(Class<?> main) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Xmx64m", "-XX:-UsePerfData", "-cp", classPath(), main.getName());
  }

  /**
   * The test class path. Surefire (3.5, default manifest-only jar) puts it in {@code
   * surefire.test.class.path} and also sets {@code java.class.path} to it, so either works there;
   * {@code java.class.path} alone is what an IDE provides.
   */
  static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    return surefire != null && !surefire.isBlank()
        ? surefire : System.getProperty("java.class.path");
  }
}
