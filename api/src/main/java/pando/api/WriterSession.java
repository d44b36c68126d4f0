package pando.api;

import java.util.TreeSet;
import pando.v1.WriteId;

/**
 * One writer session on one range, as its writer keeps it: the next seq to give a write, and the
 * seqs still open (sent and neither answered nor given up). Each {@link WriteId} it issues carries
 * {@code done_below}, the lowest open seq, so the range learns which writes it may forget and must
 * refuse from then on. Thread-safe.
 */
public final class WriterSession {
  private final long id;
  private long nextSeq = 1;
  private final TreeSet<Long> open = new TreeSet<>();

  /** @param id the session's id, as the range's OpenSession answered it */
  public WriterSession(long id) {
    this.id = id;
  }

  public long id() {
    return id;
  }

  /** The identity of a new write; it stays open until {@link #done}. */
  public synchronized WriteId issue() {
    long seq = nextSeq++;
    open.add(seq);
    return WriteId.newBuilder().setSession(id).setSeq(seq).setDoneBelow(open.first()).build();
  }

  /** The write is answered or given up: later writes tell the range it may forget it. */
  public synchronized void done(WriteId write) {
    if (write.getSession() == id) {
      open.remove(write.getSeq());
    }
  }
}
