package pando.node;

import java.util.concurrent.CompletableFuture;

/**
 * Tells those who wait that the node adopted a newer range table: a write a range refused because
 * it split since the write was routed waits here for the table that says where the key went.
 */
final class LayoutChanges {
  private CompletableFuture<Void> next = new CompletableFuture<>(); // guarded by this

  /** Completes when the node next adopts a table; take it before routing, so no adoption is missed. */
  synchronized CompletableFuture<Void> next() {
    return next;
  }

  /** The node serves by a newer table from now on. */
  void adopted() {
    CompletableFuture<Void> done;
    synchronized (this) {
      done = next;
      next = new CompletableFuture<>();
    }
    done.complete(null);
  }
}
