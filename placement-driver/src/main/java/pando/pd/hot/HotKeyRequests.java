package pando.pd.hot;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.util.Objects;
import java.util.Optional;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;
import pando.api.hot.HotKeyTable;
import pando.api.hot.SaltedKeys;

/**
 * What an operator's request to pin or unsalt a hot key does to the table: the change to commit,
 * nothing (the table already says so), or a refusal with the status code and a message that says
 * what to do. Pure: the table goes in, a decision comes out; the caller commits the change with the
 * entry it was computed from as its guard, so a request decided on a table that changes meanwhile
 * is refused instead of undoing the other change.
 */
public final class HotKeyRequests {
  private HotKeyRequests() {}

  /** The outcome of one request. */
  public sealed interface Decision {
    /** Commit {@code next} in place of {@code expected} (empty: the key had no entry). */
    record Change(HotKey next, Optional<HotKey> expected) implements Decision {
      public Change {
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(expected, "expected");
      }
    }

    /** The table already holds what was asked: answer with this entry, commit nothing. */
    record Unchanged(HotKey current) implements Decision {}

    /** Refuse with this status code and message. */
    record Refused(Status.Code code, String message) implements Decision {}
  }

  /**
   * Pins {@code key}: a new entry SALTING and PINNED. A key already in the table with the same mode
   * and salts is left as it is, except that a detected entry becomes pinned (so the detector will
   * not unsalt it). Refused: INVALID_ARGUMENT for a key that cannot be salted or salts outside
   * 2..64; FAILED_PRECONDITION for a new key when the table is full, for a key in the table with
   * another mode or salt count (changing either means moving the copies, which only unsalting and
   * salting again do), and for a key being unsalted (its copies are being emptied).
   */
  public static Decision pin(HotKeyTable table, ByteString key, Mode mode, int salts) {
    Optional<String> refusal = SaltedKeys.saltingRefusal(key);
    if (refusal.isPresent()) {
      return new Decision.Refused(Status.Code.INVALID_ARGUMENT, refusal.get());
    }
    if (salts < SaltedKeys.MIN_SALTS || salts > SaltedKeys.MAX_SALTS) {
      return new Decision.Refused(Status.Code.INVALID_ARGUMENT, "salts must be in "
          + SaltedKeys.MIN_SALTS + ".." + SaltedKeys.MAX_SALTS + ", got " + salts);
    }
    Optional<HotKey> current = table.lookup(key);
    if (current.isEmpty()) {
      if (table.size() >= HotKeyTable.MAX_ENTRIES) {
        return new Decision.Refused(Status.Code.FAILED_PRECONDITION, "the hot-key table is full ("
            + HotKeyTable.MAX_ENTRIES + " keys); remove keys that are no longer hot first");
      }
      return new Decision.Change(new HotKey(key, mode, salts, State.SALTING, Origin.PINNED), Optional.empty());
    }
    HotKey hot = current.get();
    String name = "hot key " + KeyText.of(key);
    if (hot.state() == State.UNSALTING) {
      return new Decision.Refused(Status.Code.FAILED_PRECONDITION, name + " is being unsalted; add it again"
          + " once it has left the table ('pando admin hotkeys' lists it until then)");
    }
    if (hot.mode() != mode || hot.salts() != salts) {
      return new Decision.Refused(Status.Code.FAILED_PRECONDITION, name + " is already "
          + HotKeyRegistry.describe(hot) + "; to change its mode or salts, remove it"
          + " ('pando admin hotkeys remove'), then add it again once it has left the table");
    }
    if (hot.origin() == Origin.PINNED) {
      return new Decision.Unchanged(hot);
    }
    return new Decision.Change(new HotKey(key, mode, salts, hot.state(), Origin.PINNED), current);
  }

  /**
   * Starts unsalting {@code key}: its entry moves to UNSALTING, whatever its origin. A key already
   * UNSALTING is left as it is; NOT_FOUND for a key not in the table.
   */
  public static Decision unsalt(HotKeyTable table, ByteString key) {
    Optional<HotKey> current = table.lookup(key);
    if (current.isEmpty()) {
      return new Decision.Refused(Status.Code.NOT_FOUND, "no hot key " + KeyText.of(key)
          + " in the table; 'pando admin hotkeys' lists them");
    }
    if (current.get().state() == State.UNSALTING) {
      return new Decision.Unchanged(current.get());
    }
    return new Decision.Change(current.get().withState(State.UNSALTING), current);
  }
}
