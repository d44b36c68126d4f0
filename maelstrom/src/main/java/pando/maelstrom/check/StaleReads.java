package pando.maelstrom.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads that returned a value already overwritten before they began: a weaker property than
 * linearizability, and the one a salted read-hot key keeps while it is written (a read sees every
 * write acknowledged before it began). A read of {@code v} is stale if the write of {@code v}
 * completed before another write was invoked that completed before the read was invoked; a read
 * of an absent key is stale if any write completed before it began.
 *
 * <p>Only acknowledged operations count, and only values written by exactly one of them: a value
 * written twice, or by a write whose outcome is unknown, says nothing about order. Pure.
 */
public final class StaleReads {
  private StaleReads() {}

  /** One line per stale read, for example {@code key 3: read 5 at 120, but 7 (written after 5) was acknowledged at 110}. */
  public static List<String> find(History history) {
    List<String> stale = new ArrayList<>();
    for (String key : history.keys()) {
      List<Op> writes = new ArrayList<>();
      Map<Long, Integer> timesWritten = new HashMap<>();
      for (Op op : history.opsFor(key)) {
        if (op.f() != Kind.READ && op.outcome() != Outcome.FAIL) {
          timesWritten.merge(op.value(), 1, Integer::sum);
          if (op.outcome() == Outcome.OK) {
            writes.add(op);
          }
        }
      }
      Map<Long, Op> writeOf = new HashMap<>();
      for (Op w : writes) {
        if (timesWritten.get(w.value()) == 1) {
          writeOf.put(w.value(), w);
        }
      }
      for (Op read : history.opsFor(key)) {
        if (read.f() != Kind.READ || read.outcome() != Outcome.OK) {
          continue;
        }
        Op source = read.value() == null ? null : writeOf.get(read.value());
        if (read.value() != null && source == null) {
          continue; // written more than once, or by a write of unknown outcome
        }
        long sourceDone = source == null ? Long.MIN_VALUE : source.completeNanos();
        for (Op w : writes) {
          if (w != source && w.invokeNanos() > sourceDone && w.completeNanos() < read.invokeNanos()) {
            stale.add("key " + key + ": " + read + " returned " + (read.value() == null ? "nothing" : read.value())
                + ", but " + w + " was written after it and acknowledged before the read began");
            break;
          }
        }
      }
    }
    return stale;
  }
}
