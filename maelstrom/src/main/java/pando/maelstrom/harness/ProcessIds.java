package pando.maelstrom.harness;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hands out Jepsen process numbers, 1, 2, 3, ..., each used once in a run. Process {@code p} talks
 * to the cluster as Maelstrom client {@code c<p>}, so a history line and a network log line are
 * easy to match.
 */
public final class ProcessIds {
  private final AtomicInteger last = new AtomicInteger();

  /** A process number never handed out before. */
  public int next() {
    return last.incrementAndGet();
  }

  /** The Maelstrom client id of a process: {@code c<process>}. */
  public static String clientId(int process) {
    return "c" + process;
  }
}
