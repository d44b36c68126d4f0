package pando.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import pando.internal.v1.RangeResult;
import pando.internal.v1.SessionRecord;
import pando.internal.v1.SessionResult;
import pando.v1.WriteId;

/**
 * The writer sessions of one range, which make every identified write apply at most once (the Raft
 * dissertation's §6.3). Pure and deterministic: it changes only as the range's log is applied, so
 * every replica holds the same sessions at the same index.
 *
 * <ul>
 *   <li>A session is opened through the log; its id is the key version of the opening entry, so ids
 *       are never reused, not even across splits (both halves start at a higher epoch version).
 *   <li>A write names (session, seq). The first time a seq is applied its result is recorded; a
 *       later copy of it is answered with that result and changes nothing.
 *   <li>The writer's {@code done_below} raises the session's floor: results below it are dropped,
 *       and a seq below it is refused ({@code SEQ_FORGOTTEN}). A session keeps at most {@code
 *       resultsPerSessionMax} results; past that the lowest are dropped and the floor rises above
 *       them, which only turns a late retry of those into a refusal, never into a second apply.
 *   <li>Sessions age by the log clock, the largest proposal time a leader put in an applied entry,
 *       never by a replica's own clock. A session idle for {@code idleMillisMax} of that clock, or
 *       the least recently used one when {@code sessionsMax} are open, is dropped; its writes are
 *       then refused ({@code SESSION_UNKNOWN}), never applied.
 * </ul>
 *
 * <p>Not thread-safe: the owner (one range's store) calls it under its write lock.
 */
public final class Sessions {
  /** How many sessions a range keeps, how many results each, and how long an idle one lives. */
  public record Limits(int sessionsMax, int resultsPerSessionMax, long idleMillisMax) {
    public Limits {
      if (sessionsMax < 1 || resultsPerSessionMax < 1 || idleMillisMax < 1) {
        throw new IllegalArgumentException("session limits must be positive: " + sessionsMax + ", "
            + resultsPerSessionMax + ", " + idleMillisMax);
      }
    }

    /**
     * 100,000 sessions (a node's or client's per range), 20,000 results each (more than a writer's
     * requests in flight at once), and 10 minutes idle: far longer than any retry of a request,
     * whose deadline is seconds.
     */
    public static Limits defaults() {
      return new Limits(100_000, 20_000, 10 * 60 * 1000L);
    }
  }

  /** What to do with an identified write. */
  public sealed interface Verdict {
    /** New: apply it, then {@link #record} its result. */
    record Apply() implements Verdict {}

    /** Applied before: answer with its recorded result, change nothing. */
    record Answered(RangeResult result) implements Verdict {}

    /** Refused: nothing is applied, and nothing is recorded. */
    record Refused(RangeResult.Status status, String message) implements Verdict {}
  }

  private static final Verdict APPLY = new Verdict.Apply();

  private static final class Session {
    final long id;
    long floor;
    long lastUsedIndex;
    long lastUsedMillis;
    final TreeMap<Long, RangeResult> results = new TreeMap<>();

    Session(long id, long floor, long lastUsedIndex, long lastUsedMillis) {
      this.id = id;
      this.floor = floor;
      this.lastUsedIndex = lastUsedIndex;
      this.lastUsedMillis = lastUsedMillis;
    }
  }

  private static final Comparator<Session> BY_LAST_USE =
      Comparator.<Session>comparingLong(s -> s.lastUsedIndex).thenComparingLong(s -> s.id);

  private final Limits limits;
  private final Map<Long, Session> byId = new HashMap<>();
  private final TreeSet<Session> byLastUse = new TreeSet<>(BY_LAST_USE);
  // Changed since the owner last persisted them, and dropped since then.
  private final Set<Long> changed = new HashSet<>();
  private final Set<Long> dropped = new HashSet<>();
  private long clockMillis;

  public Sessions(Limits limits) {
    this.limits = limits;
  }

  /** The sessions of persisted records (a store file, a snapshot, a split's seed). */
  public static Sessions of(Limits limits, Iterable<SessionRecord> records, long clockMillis) {
    Sessions sessions = new Sessions(limits);
    sessions.clockMillis = clockMillis;
    for (SessionRecord record : records) {
      Session s = new Session(record.getId(), record.getFloor(), record.getLastUsedIndex(),
          record.getLastUsedUnixMillis());
      for (SessionResult r : record.getResultsList()) {
        s.results.put(r.getSeq(), r.getResult());
      }
      sessions.byId.put(s.id, s);
      sessions.byLastUse.add(s);
    }
    return sessions;
  }

  /** The log clock: the largest proposal time applied so far (Unix ms). */
  public long clockMillis() {
    return clockMillis;
  }

  public int size() {
    return byId.size();
  }

  /**
   * Advances the log clock to an entry's proposal time (it never goes back, whatever a new
   * leader's clock says) and drops the sessions idle for longer than the limit.
   */
  public void tick(long proposedAtMillis) {
    clockMillis = Math.max(clockMillis, proposedAtMillis);
    while (!byLastUse.isEmpty() && clockMillis - byLastUse.first().lastUsedMillis > limits.idleMillisMax()) {
      drop(byLastUse.first());
    }
  }

  /**
   * Opens a session at log {@code index}; {@code id} is the entry's key version. The least recently
   * used session makes room if the range holds its maximum.
   */
  public void open(long id, long index) {
    if (byId.containsKey(id)) {
      return; // the same entry applied again: already open
    }
    while (byId.size() >= limits.sessionsMax()) {
      drop(byLastUse.first());
    }
    Session s = new Session(id, 1, index, clockMillis);
    byId.put(id, s);
    byLastUse.add(s);
    changed.add(id);
  }

  /** What to do with the write {@code id} at log {@code index}; marks its session used. */
  public Verdict check(WriteId id, long index) {
    Session s = byId.get(id.getSession());
    if (s == null) {
      return new Verdict.Refused(RangeResult.Status.SESSION_UNKNOWN, "writer session "
          + Long.toUnsignedString(id.getSession(), 16) + " is not open on this range (it expired or was"
          + " never opened here); nothing was applied now");
    }
    touch(s, index);
    raiseFloor(s, id.getDoneBelow());
    RangeResult recorded = s.results.get(id.getSeq());
    if (recorded != null) {
      return new Verdict.Answered(recorded);
    }
    if (id.getSeq() < s.floor) {
      return new Verdict.Refused(RangeResult.Status.SEQ_FORGOTTEN, "write " + id.getSeq()
          + " of this session was answered or given up before, and its result is no longer kept;"
          + " nothing was applied now");
    }
    return APPLY;
  }

  /** Records the result of a write that {@link #check} let apply. */
  public void record(WriteId id, RangeResult result) {
    Session s = byId.get(id.getSession());
    if (s == null) {
      throw new IllegalStateException("no session " + id.getSession() + " to record a result in");
    }
    s.results.put(id.getSeq(), result);
    while (s.results.size() > limits.resultsPerSessionMax()) {
      s.floor = Math.max(s.floor, s.results.pollFirstEntry().getKey() + 1);
    }
    changed.add(s.id);
  }

  private void touch(Session s, long index) {
    byLastUse.remove(s);
    s.lastUsedIndex = Math.max(s.lastUsedIndex, index);
    s.lastUsedMillis = Math.max(s.lastUsedMillis, clockMillis);
    byLastUse.add(s);
    changed.add(s.id);
  }

  private static void raiseFloor(Session s, long doneBelow) {
    if (doneBelow > s.floor) {
      s.floor = doneBelow;
      s.results.headMap(doneBelow).clear();
    }
  }

  private void drop(Session s) {
    byId.remove(s.id);
    byLastUse.remove(s);
    changed.remove(s.id);
    dropped.add(s.id);
  }

  /** Every session as a record, for a snapshot or a split's seed. */
  public List<SessionRecord> records() {
    List<SessionRecord> all = new ArrayList<>(byId.size());
    for (Session s : byLastUse) {
      all.add(toRecord(s));
    }
    return all;
  }

  /** The sessions changed since the last call, as records, and the ids dropped since then. */
  public Changes takeChanges() {
    List<SessionRecord> records = new ArrayList<>(changed.size());
    for (Long id : changed) {
      records.add(toRecord(byId.get(id)));
    }
    Changes changes = new Changes(records, List.copyOf(dropped));
    changed.clear();
    dropped.clear();
    return changes;
  }

  /** What the owner must write to (and delete from) its persisted copy. */
  public record Changes(List<SessionRecord> changed, Collection<Long> dropped) {}

  /** The recorded result of a write, if the session still keeps it; for tests and inspection. */
  public Optional<RangeResult> result(long session, long seq) {
    return Optional.ofNullable(byId.get(session)).map(s -> s.results.get(seq));
  }

  private static SessionRecord toRecord(Session s) {
    SessionRecord.Builder record = SessionRecord.newBuilder().setId(s.id).setFloor(s.floor)
        .setLastUsedIndex(s.lastUsedIndex).setLastUsedUnixMillis(s.lastUsedMillis);
    s.results.forEach((seq, result) -> record.addResults(SessionResult.newBuilder().setSeq(seq).setResult(result)));
    return record.build();
  }
}
