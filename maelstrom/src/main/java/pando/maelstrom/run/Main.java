package pando.maelstrom.run;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import pando.maelstrom.check.Verdict;

/**
 * {@code java -cp <classpath> pando.maelstrom.run.Main test [options]}: runs a {@link TestRun}
 * and exits 0 if the history is linearizable, 1 if not (or unknown), 2 on a usage error.
 */
public final class Main {
  static final String NODE_MAIN = "pando.maelstrom.node.LinKvNode";

  public static final String USAGE = String.join("\n",
      "usage: test [--nodes N] [--time-limit 30s] [--clients N] [--seed N] [--no-faults]"
          + " [--unsafe-local-reads] [--dir DIR]",
      "  --nodes N              node processes (default 3)",
      "  --time-limit T         how long clients run, e.g. 30s, 2m (default 30s)",
      "  --clients N            concurrent clients (default 3)",
      "  --seed N               seed of workload and faults (default: random, printed)",
      "  --no-faults            no partitions, delays, pauses or kills",
      "  --unsafe-local-reads   start nodes in the unsafe, NOT linearizable read mode",
      "  --dir DIR              output directory (default maelstrom-runs/<time>-seed<N>)");

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String[] args) {
    RunConfig config;
    try {
      config = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(USAGE);
      return 2;
    }
    if (config == null) {
      System.out.println(USAGE);
      return 0;
    }
    try {
      return exitCode(TestRun.run(config, System.out).verdict());
    } catch (Exception e) {
      String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      System.err.println("error: " + m.lines().findFirst().orElse(m));
      return 1;
    }
  }

  /** 0 for VALID, 1 for INVALID or UNKNOWN. */
  public static int exitCode(Verdict v) {
    return v == Verdict.VALID ? 0 : 1;
  }

  /** The command that runs one node: this JVM's java, {@code classPath}, {@link #NODE_MAIN}. */
  public static List<String> nodeCommand(String classPath) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        "-Xmx256m", "-XX:-UsePerfData", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-cp", classPath, NODE_MAIN);
  }

  /** A fresh default output directory for {@code seed}. */
  public static Path defaultDir(long seed) {
    String time = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss",
        Locale.ROOT));
    return Path.of("maelstrom-runs", time + "-seed" + seed);
  }

  /** Random seed of a run that did not name one. */
  public static long randomSeed() {
    return Math.abs(System.nanoTime() % 1_000_000_000L);
  }

  /** The config for {@code args} (after an optional leading {@code test}); null for help. */
  static RunConfig parse(String[] args) {
    List<String> a = new ArrayList<>(List.of(args));
    if (!a.isEmpty() && a.get(0).equals("test")) {
      a.remove(0);
    }
    int nodes = RunConfig.DEFAULT_NODES;
    int clients = RunConfig.DEFAULT_CLIENTS;
    Duration time = RunConfig.DEFAULT_DURATION;
    Long seed = null;
    boolean faults = true;
    List<String> nodeArgs = new ArrayList<>();
    Path dir = null;
    for (int i = 0; i < a.size(); i++) {
      String opt = a.get(i);
      switch (opt) {
        case "--help", "-h" -> {
          return null;
        }
        case "--nodes" -> nodes = integer(opt, value(a, ++i, opt));
        case "--clients" -> clients = integer(opt, value(a, ++i, opt));
        case "--time-limit" -> time = duration(value(a, ++i, opt));
        case "--seed" -> seed = (long) integer(opt, value(a, ++i, opt));
        case "--no-faults" -> faults = false;
        case "--unsafe-local-reads" -> nodeArgs.add("--unsafe-local-reads");
        case "--dir" -> dir = Path.of(value(a, ++i, opt));
        default -> throw new IllegalArgumentException("unknown option " + opt);
      }
    }
    long s = seed != null ? seed : randomSeed();
    return RunConfig.defaults(s, dir != null ? dir : defaultDir(s),
            nodeCommand(System.getProperty("java.class.path")))
        .withNodes(nodes).withClients(clients).withDuration(time).withFaults(faults)
        .withNodeArgs(nodeArgs);
  }

  private static String value(List<String> a, int i, String opt) {
    if (i >= a.size()) {
      throw new IllegalArgumentException(opt + " needs a value");
    }
    return a.get(i);
  }

  private static int integer(String opt, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(opt + " needs an integer, not '" + v + "'");
    }
  }

  /** {@code 500ms}, {@code 30s}, {@code 2m}, a bare number of seconds, or ISO-8601. */
  public static Duration duration(String text) {
    var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(text.trim());
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      return switch (unit) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    try {
      return Duration.parse(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("'" + text + "' is not a duration; use e.g. 30s or 2m");
    }
  }
}
