package pando.api;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks loopback ports that are free right now, for a cluster on one machine whose members must
 * know each other's ports before any of them starts (Raft peers are named by address): test
 * clusters, and {@code pando bench --local}.
 *
 * <p>Such a cluster picks every node's ports first and starts the nodes one after the other. A
 * port from the kernel's ephemeral range (what binding port 0 gives) can meanwhile become the
 * source port of an outgoing connection of a node already started, and the node meant to listen
 * on it then cannot. So ports are picked below that range, where only listeners take them: at
 * random, so processes picking ports side by side seldom pick the same one, checked with a bind, and
 * never handed out twice by one JVM.
 */
public final class LoopbackPorts {
  /** The lowest port handed out: below it lie many well-known services' ports. */
  static final int LOWEST = 10_000;
  static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  // Linux's default, for systems that do not say.
  static final int EPHEMERAL_START_DEFAULT = 32_768;
  private static final int ATTEMPTS_MAX = 1_000;
  private static final int EPHEMERAL_START = ephemeralRangeStart(EPHEMERAL_RANGE);
  private static final Set<Integer> ISSUED = ConcurrentHashMap.newKeySet();

  private LoopbackPorts() {}

  /**
   * A port in {@code [LOWEST, start of the ephemeral range)} that is free now and that this JVM has
   * not handed out before.
   *
   * @throws IllegalStateException if the ephemeral range leaves no such ports, or none of the
   *     random ones tried was free
   */
  public static int next() {
    int span = EPHEMERAL_START - LOWEST;
    if (span <= 0) {
      throw new IllegalStateException("the ephemeral port range starts at " + EPHEMERAL_START + " ("
          + EPHEMERAL_RANGE + "), leaving no ports from " + LOWEST + " below it for test servers");
    }
    for (int i = 0; i < ATTEMPTS_MAX; i++) {
      int port = LOWEST + ThreadLocalRandom.current().nextInt(span);
      if (!ISSUED.contains(port) && isFree(port) && ISSUED.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port in " + LOWEST + ".." + (EPHEMERAL_START - 1)
        + " after " + ATTEMPTS_MAX + " random tries");
  }

  /** Whether a loopback port can be bound right now, as a server binds it (address reuse on). */
  public static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The first port of the ephemeral range {@code file} gives ("low high"), or Linux's default if unreadable. */
  static int ephemeralRangeStart(Path file) {
    // One buffered read: a sysctl file answers a read at a later offset with nothing, and
    // Files.readString reads its first byte alone (the file claims size 0), which gives "3".
    try (java.io.BufferedReader in = Files.newBufferedReader(file)) {
      return Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return EPHEMERAL_START_DEFAULT;
    }
  }
}
