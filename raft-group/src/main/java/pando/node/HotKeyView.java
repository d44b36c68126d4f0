package pando.node;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import pando.api.hot.HotKeyTable;

/**
 * A node's copy of the PD's hot-key table, and which versions of it requests still in flight were
 * started under.
 *
 * <p>The PD takes each step of salting or unsalting a key only once every node has <em>settled</em>
 * on the table that announces it: the node holds that version and no request it started under an
 * older one is still running. Otherwise a write begun before the node learned that its key is being
 * salted could skip the copies after the PD filled them. {@link #settledVersion} is what the node
 * reports for that; every request that may touch a hot key holds a {@link Ticket} from {@link
 * #begin} until it is answered, and decides by the ticket's table.
 *
 * <p>Thread-safe and lock-free on the request path: a ticket is an increment of the in-flight
 * counter of the version current when it began. If the table changes between reading the version
 * and counting the request, the request counts itself again under the newer one, so no request is
 * ever missed by a report that already saw the newer version.
 */
final class HotKeyView {
  /** One version of the table and the requests in flight under it. */
  private static final class Generation {
    final HotKeyTable table;
    final LongAdder inFlight = new LongAdder();

    Generation(HotKeyTable table) {
      this.table = table;
    }
  }

  private final AtomicReference<Generation> current = new AtomicReference<>(new Generation(HotKeyTable.empty()));
  // Older generations that may still have requests in flight; dropped once drained.
  private final ConcurrentLinkedQueue<Generation> older = new ConcurrentLinkedQueue<>();

  /** A request's hold on the table it started under; close it once the request is answered. */
  final class Ticket implements AutoCloseable {
    private final Generation generation;
    private boolean closed;

    private Ticket(Generation generation) {
      this.generation = generation;
    }

    HotKeyTable table() {
      return generation.table;
    }

    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        generation.inFlight.decrement();
      }
    }
  }

  /** Starts a request under the current table. */
  Ticket begin() {
    while (true) {
      Generation g = current.get();
      g.inFlight.increment();
      if (current.get() == g) {
        return new Ticket(g);
      }
      // The table changed meanwhile: a report may already count this generation as drained.
      g.inFlight.decrement();
    }
  }

  /** The table new requests start under. */
  HotKeyTable table() {
    return current.get().table;
  }

  /** Takes a newer table; an older or equal version is ignored. Returns whether it was taken. */
  boolean adopt(HotKeyTable newer) {
    while (true) {
      Generation g = current.get();
      if (newer.version() <= g.table.version()) {
        return false;
      }
      if (current.compareAndSet(g, new Generation(newer))) {
        older.add(g);
        return true;
      }
    }
  }

  /**
   * The version this node has settled on: the current version if no request started under an older
   * one is still running, else the oldest version that requests in flight started under.
   */
  long settledVersion() {
    long settled = current.get().table.version();
    for (Iterator<Generation> it = older.iterator(); it.hasNext(); ) {
      Generation g = it.next();
      if (g.inFlight.sum() == 0) {
        it.remove();
      } else {
        settled = Math.min(settled, g.table.version());
      }
    }
    return settled;
  }
}
