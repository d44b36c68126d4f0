package pando.client;

import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import pando.api.hot.HotKeyTable;
import pando.api.hot.HotKeyTableFetch;
import pando.api.pd.PdConnection;

/**
 * The client's copy of the PD's hot-key table. It is fetched again in the background when a call
 * finds it older than {@link #REFRESH_EVERY} (calls go on with the copy they have, so a slow or
 * unreachable PD never delays them), and at once, by the calling thread, when a node refuses a
 * salted copy the table named. A fetch that fails keeps the old copy: a stale
 * table costs load spreading, never correctness, because nodes refuse a copy that is not in use and
 * the client then uses the plain key.
 */
final class HotKeys {
  static final Duration REFRESH_EVERY = Duration.ofSeconds(2);
  private static final Duration FETCH_DEADLINE = Duration.ofSeconds(2);

  private final PdConnection pd;
  private final LongSupplier clockNanos;
  private final java.util.concurrent.Executor background;
  private final ReentrantLock fetching = new ReentrantLock();
  // One background fetch at a time: calls that find the table stale while one is queued add none.
  private final java.util.concurrent.atomic.AtomicBoolean queued = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile HotKeyTable table = HotKeyTable.empty();
  private volatile long fetchedAtNanos;
  private volatile boolean fetched;

  HotKeys(PdConnection pd, LongSupplier clockNanos, java.util.concurrent.Executor background) {
    this.pd = pd;
    this.clockNanos = clockNanos;
    this.background = background;
  }

  /** The table as fetched last; starts a fetch in the background if it is older than {@link #REFRESH_EVERY}. */
  HotKeyTable current() {
    if ((!fetched || clockNanos.getAsLong() - fetchedAtNanos > REFRESH_EVERY.toNanos())
        && queued.compareAndSet(false, true)) {
      try {
        background.execute(() -> {
          try {
            refresh(false);
          } finally {
            queued.set(false);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        queued.set(false); // the client is closing
      }
    }
    return table;
  }

  /** Fetches the table now (a node said a copy is not in use); waits for a fetch in progress. */
  void refreshNow() {
    refresh(true);
  }

  private void refresh(boolean wait) {
    if (wait) {
      fetching.lock();
    } else if (!fetching.tryLock()) {
      return;
    }
    try {
      HotKeyTable newer = HotKeyTableFetch.from(pd, FETCH_DEADLINE);
      if (newer.version() >= table.version()) {
        table = newer;
      }
    } catch (StatusRuntimeException | IllegalArgumentException e) {
      // Keep the copy we have; see the class comment.
    } finally {
      fetchedAtNanos = clockNanos.getAsLong();
      fetched = true;
      fetching.unlock();
    }
  }
}
