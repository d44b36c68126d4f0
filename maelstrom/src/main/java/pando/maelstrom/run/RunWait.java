package pando.maelstrom.run;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits out a timed run of clients and a fault schedule (a Maelstrom run, {@code pando check}):
 * reports progress at a fixed period until the run's end, stops early with the first client's
 * failure, then gives the clients and the faulter a bounded grace to finish.
 */
public final class RunWait {
  private RunWait() {}

  /**
   * @param endNanos the run's end on {@link System#nanoTime}'s clock
   * @param clientGrace how long each client may take past the end (its last request's deadline)
   * @param faulterGrace how long the faulter may take past the clients (healing what it cut)
   * @throws ExecutionException with a client's or the faulter's failure
   * @throws TimeoutException if one did not finish within its grace
   */
  public static void await(long endNanos, List<Future<?>> clients, Future<?> faulter, Duration progressEvery,
      Runnable progress, Duration clientGrace, Duration faulterGrace)
      throws InterruptedException, ExecutionException, TimeoutException {
    // A timed wait on a client returns early if it fails.
    while (System.nanoTime() - endNanos < 0) {
      long left = Math.min(progressEvery.toNanos(), endNanos - System.nanoTime());
      try {
        clients.get(0).get(Math.max(1, left), TimeUnit.NANOSECONDS);
      } catch (TimeoutException stillRunning) {
        // the usual case
      }
      if (clients.get(0).isDone()) {
        clients.get(0).get(); // rethrows a client's failure
      }
      progress.run();
    }
    for (Future<?> c : clients) {
      c.get(clientGrace.toMillis(), TimeUnit.MILLISECONDS);
    }
    faulter.get(clientGrace.plus(faulterGrace).toMillis(), TimeUnit.MILLISECONDS);
  }
}
