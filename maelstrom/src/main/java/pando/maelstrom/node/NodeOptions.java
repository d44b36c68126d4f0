package pando.maelstrom.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Command-line options of {@link LinKvNode}.
 *
 * @param dataBase base directory for Raft storage (each node uses {@code <base>/<node id>}), or
 *     null for a fresh temporary directory
 * @param deadline how long a client request may take before the node answers with an error
 * @param unsafeLocalReads serve reads from the local replica without ReadIndex (NOT linearizable)
 */
record NodeOptions(Path dataBase, Duration deadline, boolean unsafeLocalReads) {
  static final String ENV_DATA = "PANDO_MAELSTROM_DATA";
  static final String USAGE = String.join("\n",
      "usage: LinKvNode [--help] [--data-dir DIR] [--deadline-ms N] [--unsafe-local-reads]",
      "  --data-dir DIR         Raft storage under DIR/<node id>, reused on restart (env " + ENV_DATA + ")",
      "  --deadline-ms N        answer a request with an error after N ms (default 2000)",
      "  --unsafe-local-reads   UNSAFE, for testing the checker: reads from the local replica"
          + " without ReadIndex; stale reads break linearizability");

  static NodeOptions parse(String[] args, Map<String, String> env) {
    String data = env.get(ENV_DATA);
    Duration deadline = Duration.ofSeconds(2);
    boolean unsafe = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data-dir" -> data = value(args, ++i);
        case "--deadline-ms" -> deadline = Duration.ofMillis(Long.parseLong(value(args, ++i)));
        case "--unsafe-local-reads" -> unsafe = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + "\n" + USAGE);
      }
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("--deadline-ms must be positive");
    }
    return new NodeOptions(data == null || data.isBlank() ? null : Path.of(data), deadline, unsafe);
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value\n" + USAGE);
    }
    return args[i];
  }
}
