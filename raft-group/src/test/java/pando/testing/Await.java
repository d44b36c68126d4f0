package pando.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline: the one way tests here wait for a cluster, a bus or a process. */
public final class Await {
  private static final long POLL_MILLIS = 20;

  private Await() {}

  /** Polls {@code condition} until it holds; a condition that throws has not held yet. */
  public static void until(Duration timeout, String what, BooleanSupplier condition) {
    until(timeout, Duration.ofMillis(POLL_MILLIS), what, condition);
  }

  /**
   * As {@link #until(Duration, String, BooleanSupplier)}; a timeout also reports {@code state}, what
   * the test was looking at when it gave up.
   */
  public static void until(Duration timeout, String what, BooleanSupplier condition, Supplier<String> state) {
    try {
      until(timeout, what, condition);
    } catch (AssertionError e) {
      String seen;
      try {
        seen = state.get();
      } catch (RuntimeException stateFailed) {
        seen = "(could not be read: " + stateFailed.getMessage() + ")";
      }
      AssertionError withState = new AssertionError(e.getMessage() + "; last seen: " + seen);
      for (Throwable suppressed : e.getSuppressed()) {
        withState.addSuppressed(suppressed);
      }
      throw withState;
    }
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
