package pando.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline: the one way tests here wait for a cluster, a bus or a process. */
public final class Await {
  private static final long POLL_MILLIS = 20;

  private Await() {}

  /** Polls {@code condition} until it holds; a condition that throws has not held yet. */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    until(timeout, Duration.ofMillis(POLL_MILLIS), what, condition);
  }

  /** As {@link #until(Duration, String, BooleanSupplier)}, polling every {@code pollEvery} (for costly checks). */
  public static void until(Duration timeout, Duration pollEvery, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e; // e.g. a replica whose store is being replaced by a snapshot
      }
      if (System.nanoTime() > deadline) {
        AssertionError error = new AssertionError("timed out after " + timeout + " waiting for: " + what);
        if (last != null) {
          error.addSuppressed(last);
        }
        throw error;
      }
      try {
        Thread.sleep(pollEvery.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for: " + what);
      }
    }
  }
}
