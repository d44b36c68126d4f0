package pando.api.hot;

import com.google.protobuf.ByteString;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * One entry of the {@link HotKeyTable}: a key served through {@code salts} salted copies (named by
 * {@link SaltedKeys}), and the pure rules by which a client serves it.
 *
 * <h2>Modes</h2>
 *
 * <ul>
 *   <li>{@link Mode#READ_HOT}: the plain key stays the <em>primary</em>. A write (Put, Delete, Cas,
 *       Incr) is applied to the primary first, which gives it the next version of the key; then the
 *       new value (or its absence) is copied to all S copies at once, each with "put if newer": a
 *       copy takes it only if its stored version is lower. The write is acknowledged once every
 *       copy has taken it or already holds a newer version (a newer write's value, copied in its
 *       place, counts). A read goes to one copy chosen at random (only in {@link State#ACTIVE}).
 *   <li>{@link Mode#WRITE_HOT_COUNTER}: an Incr goes to one copy chosen at random (only in {@link
 *       State#ACTIVE}); a read fans out to every copy and then reads the plain key, and returns the
 *       sum (see {@link #sumCounter}). Put, Delete and Cas are refused: a counter is salted because
 *       it is only incremented, and a whole-value write cannot be applied to S copies at once.
 * </ul>
 *
 * <p>Why the plain key stays the primary of a read-hot key: one Raft group orders concurrent writes,
 * so copies converge to the same value whatever order the copy updates arrive in; and salting and
 * unsalting never change which key decides, so clients that see different table versions during a
 * transition still agree on the order of writes.
 *
 * <h2>States</h2>
 *
 * The PD moves an entry SALTING → ACTIVE → UNSALTING → (removed). It takes the next step only after
 * every client has fetched a table holding the current one (the fence belongs to the operator, not
 * to this class). What a client does, by {@link #plan}:
 *
 * <table>
 *   <caption>Client plans by mode and state</caption>
 *   <tr><th></th><th>SALTING</th><th>ACTIVE</th><th>UNSALTING</th></tr>
 *   <tr><td>READ_HOT read</td><td>plain key</td><td>one random copy</td><td>plain key</td></tr>
 *   <tr><td>READ_HOT write / Incr</td><td colspan="3">primary, then every copy at once</td></tr>
 *   <tr><td>COUNTER read</td><td colspan="3">every copy, then the plain key; sum</td></tr>
 *   <tr><td>COUNTER Incr</td><td>plain key</td><td>one random copy</td><td>plain key</td></tr>
 *   <tr><td>COUNTER Put/Delete/Cas</td><td colspan="3">refused</td></tr>
 * </table>
 *
 * <p>So during SALTING reads still go to the plain key while writes already fill the copies (and
 * the operator fills the rest with "put if newer" from the primary); during UNSALTING reads go back
 * to the plain key, which is always current, before the copies are deleted. A counter is summed
 * over the plain key and the copies in every state: the pre-salting value never has to move, and
 * Incr may go to the plain key or a copy without a reader missing it.
 *
 * <h2>What a reader of a read-hot key can see</h2>
 *
 * Let each write's version be the one the primary gave it (versions are the order in which writes
 * took effect at the primary, a linearization of all writes), and {@code v(c)} the version held by
 * key {@code c}. Then, at every moment, whatever writes are in flight, failed or finished:
 *
 * <ol>
 *   <li><b>Copies trail the primary.</b> {@code v(copy i) <= v(primary)} for every salt {@code
 *       i}: a copy only takes a version the primary already gave, and never goes back to a lower
 *       one. Copies are not ordered among themselves: while writes are in flight any of them may
 *       be ahead of any other. (Copying them one after the other in salt order would keep them a
 *       prefix of each other, but costs S Raft rounds per write instead of one, and a reader
 *       picking a random salt gains nothing from it: statement 5 holds either way.)
 *   <li><b>Acknowledged writes are seen.</b> A read that starts after a write was acknowledged
 *       returns that write or a later one, whatever salt it picks.
 *   <li><b>Nothing invented.</b> A read returns the whole value of one write (or the value before
 *       any write) that started before the read ended; never a mix of two writes.
 *   <li><b>Per copy, time moves forward.</b> Two reads of the same salt, one after the other, never
 *       see versions go back.
 *   <li><b>The weakening.</b> Two reads of <em>different</em> salts, the second starting after the
 *       first ended, may see a newer value and then an older one, while a write is in flight (the
 *       first picked a salt the write had reached, the second one it had not yet). So reads of a
 *       salted key are not linearizable while a write is in flight; plain keys are unaffected.
 *   <li><b>Convergence.</b> Once no write is in flight and the last one was acknowledged, every copy
 *       holds the primary's value. A write that gave up half way (a copy's range did not answer in
 *       time) leaves some copies newer than others (statement 1 still holds) until the next
 *       acknowledged write, or the operator's repair from the primary.
 * </ol>
 *
 * <h2>What a reader of a salted counter can see</h2>
 *
 * A counter read returns the value before salting plus the sum of the deltas of some set of
 * increments, and that set holds every increment acknowledged before the read started and none that
 * started after the read ended; increments in flight during the read may or may not be counted,
 * each independently. Unlike a plain counter, two reads one after the other may count different
 * subsets of the increments in flight (a later read may miss one an earlier read counted). This
 * also holds while UNSALTING folds copies into the plain key, because a fold adds a copy's value to
 * the plain key and marks the copy folded in one command, and a reader reads the plain key after
 * the copies and ignores the copies it names folded.
 *
 * @param key the user's key (never reserved, at most {@link SaltedKeys#MAX_SALTABLE_KEY_BYTES})
 * @param mode how reads and writes are spread
 * @param salts the number of copies, 2..64
 * @param state where the entry is in its life
 * @param origin whether the PD detected it or an operator pinned it (only detected keys are ever
 *     unsalted because they cooled)
 */
public record HotKey(ByteString key, Mode mode, int salts, State state, Origin origin) {
  /** 8-byte big-endian signed integers, as for plain counters. */
  private static final int COUNTER_BYTES = 8;

  private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
  private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

  public HotKey {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(origin, "origin");
    SaltedKeys.checkSaltable(key);
    SaltedKeys.checkSalts(salts);
  }

  public enum Mode {
    /** Writes go to the primary and every copy; a read goes to one copy. */
    READ_HOT,
    /** An Incr goes to one copy; a read sums every copy and the plain key. */
    WRITE_HOT_COUNTER,
  }

  public enum State {
    /** The copies are being filled; reads still use the plain key. */
    SALTING,
    /** Reads (read-hot) or increments (counter) are spread over the copies. */
    ACTIVE,
    /** The copies are being emptied; reads and increments are back on the plain key. */
    UNSALTING,
  }

  public enum Origin {
    /** Found by the PD's detector; unsalted once it cools. */
    DETECTED,
    /** Named by an operator; stays until the operator removes it. */
    PINNED,
  }

  /** What a client asks of the key. */
  public enum Operation {
    READ,
    /** Put, Delete or Cas. */
    WRITE,
    INCREMENT,
  }

  /** The same entry in another state. */
  public HotKey withState(State next) {
    return new HotKey(key, mode, salts, next, origin);
  }

  /** The key of copy {@code salt}. */
  public ByteString copy(int salt) {
    return SaltedKeys.salted(key, salt, salts);
  }

  /** Every copy's key, in salt order 0..S-1. */
  public List<ByteString> copies() {
    List<ByteString> copies = new ArrayList<>(salts);
    for (int salt = 0; salt < salts; salt++) {
      copies.add(copy(salt));
    }
    return List.copyOf(copies);
  }

  /**
   * Which keys a client uses for {@code operation}; see the table in the class comment. {@code
   * random} is drawn from only when the plan picks one copy.
   */
  public Plan plan(Operation operation, RandomGenerator random) {
    return switch (mode) {
      case READ_HOT -> switch (operation) {
        case READ -> state == State.ACTIVE
            ? new Plan.OneCopy(copy(random.nextInt(salts)))
            : new Plan.Plain(key);
        case WRITE, INCREMENT -> new Plan.PrimaryThenCopies(key, copies());
      };
      case WRITE_HOT_COUNTER -> switch (operation) {
        case READ -> new Plan.SumAll(key, copies());
        case INCREMENT -> state == State.ACTIVE
            ? new Plan.OneCopy(copy(random.nextInt(salts)))
            : new Plan.Plain(key);
        case WRITE -> new Plan.Refused(
            "key is salted as a counter: only Incr and Get are served until it is unsalted");
      };
    };
  }

  /**
   * The value of a salted counter from the replies of a {@link Plan.SumAll} read: the plain key's
   * value plus every copy the plain key does not name folded. The copies must have been read
   * before the plain key (see the class comment for why).
   *
   * <p>An absent key counts as 0, as for a plain Incr. The sum is computed exactly, so it does not
   * depend on the order of the copies; if it lies outside the signed 64-bit range the read fails
   * with {@link CounterSum.Overflow}, the read-side twin of the OUT_OF_RANGE a plain Incr gives
   * when it would overflow. (An Incr to one copy can also overflow that copy alone, and then fails
   * with OUT_OF_RANGE like a plain Incr, even if the total would still fit.) A value that is not 8
   * bytes fails with {@link CounterSum.NotACounter}.
   *
   * @param plain the plain key's value, empty if absent
   * @param foldedSalts the salts the plain key says have been folded into it
   * @param copies each copy's value in salt order, empty if absent; exactly {@link #salts()} of them
   */
  public CounterSum sumCounter(
      Optional<ByteString> plain, Set<Integer> foldedSalts, List<Optional<ByteString>> copies) {
    if (mode != Mode.WRITE_HOT_COUNTER) {
      throw new IllegalStateException("key is not salted as a counter but " + mode);
    }
    if (copies.size() != salts) {
      throw new IllegalArgumentException(
          "expected " + salts + " copy replies, got " + copies.size());
    }
    BigInteger sum = BigInteger.ZERO;
    for (int salt = -1; salt < salts; salt++) {
      Optional<ByteString> value = salt < 0 ? plain : copies.get(salt);
      if ((salt >= 0 && foldedSalts.contains(salt)) || value.isEmpty()) {
        continue;
      }
      if (value.get().size() != COUNTER_BYTES) {
        String where = salt < 0 ? "the plain key" : "copy " + salt;
        return new CounterSum.NotACounter(
            "value of " + where + " is " + value.get().size() + " bytes, not an 8-byte counter");
      }
      sum = sum.add(BigInteger.valueOf(ByteBuffer.wrap(value.get().toByteArray()).getLong()));
    }
    if (sum.compareTo(LONG_MIN) < 0 || sum.compareTo(LONG_MAX) > 0) {
      return new CounterSum.Overflow("counter sum " + sum + " overflows a signed 64-bit integer");
    }
    return new CounterSum.Value(sum.longValueExact());
  }

  /** Which keys one client operation touches. */
  public sealed interface Plan {
    /** Serve it on the plain key, exactly as if the key were not hot. */
    record Plain(ByteString key) implements Plan {}

    /** Serve it on this one copy. */
    record OneCopy(ByteString key) implements Plan {}

    /**
     * Apply to the primary (which assigns the version), then copy the result to every copy at once
     * with "put if newer"; acknowledge once all hold it or something newer.
     */
    record PrimaryThenCopies(ByteString primary, List<ByteString> copies) implements Plan {
      public PrimaryThenCopies {
        copies = List.copyOf(copies);
      }
    }

    /** Read every copy, then the plain key last, and sum them with {@link HotKey#sumCounter}. */
    record SumAll(ByteString plainReadLast, List<ByteString> copies) implements Plan {
      public SumAll {
        copies = List.copyOf(copies);
      }
    }

    /** Do not serve it; tell the caller why (FAILED_PRECONDITION). */
    record Refused(String reason) implements Plan {}
  }

  /** The outcome of summing a salted counter. */
  public sealed interface CounterSum {
    record Value(long value) implements CounterSum {}

    /** The total lies outside the signed 64-bit range (OUT_OF_RANGE). */
    record Overflow(String message) implements CounterSum {}

    /** Some part holds a value that is not an 8-byte counter (FAILED_PRECONDITION). */
    record NotACounter(String message) implements CounterSum {}
  }
}
