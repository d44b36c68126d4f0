package pando.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import pando.api.WriterSession;
import pando.v1.WriteId;

/**
 * The client's writer sessions, one per range, opened through the range's log on the first write to
 * it. Every write gets the next seq of its range's session and keeps that {@link WriteId} through
 * all its retries, so the range applies it at most once; when the call ends, however it ends, the
 * seq is done, and later writes tell the range so ({@code done_below}), which then refuses any late
 * copy of it.
 *
 * <p>Thread-safe. A session the range no longer knows is forgotten ({@link #lost}), and the next
 * write opens a new one.
 */
final class WriterSessions {
  private final Map<Long, WriterSession> byRange = new ConcurrentHashMap<>();
  private final Map<Long, WriterSession> byId = new ConcurrentHashMap<>();
  // One opening per range at a time; other writers to the range wait for it.
  private final Map<Long, Object> openingLocks = new ConcurrentHashMap<>();

  /**
   * The identity of a new write to {@code rangeId}; {@code open} opens a session on the range (a
   * call to its leader) if this client has none there yet.
   */
  WriteId issue(long rangeId, LongSupplier open) {
    WriterSession session = byRange.get(rangeId);
    if (session == null) {
      synchronized (openingLocks.computeIfAbsent(rangeId, id -> new Object())) {
        session = byRange.get(rangeId);
        if (session == null) {
          session = new WriterSession(open.getAsLong());
          byId.put(session.id(), session);
          byRange.put(rangeId, session);
        }
      }
    }
    return session.issue();
  }

  /** The write is answered or given up: its seq no longer needs to be remembered by the range. */
  void done(WriteId id) {
    WriterSession session = byId.get(id.getSession());
    if (session != null) {
      session.done(id);
    }
  }

  /**
   * Range {@code rangeId} does not know the session of {@code id}: if it is the client's session
   * for that range, it is gone (the next write opens a new one); if it is another range's (a write
   * that moved with its key in a split), that range's session stays.
   */
  void lost(long rangeId, WriteId id) {
    WriterSession session = byRange.get(rangeId);
    if (session != null && session.id() == id.getSession()) {
      byRange.remove(rangeId, session);
      byId.remove(session.id(), session);
    }
  }
}
