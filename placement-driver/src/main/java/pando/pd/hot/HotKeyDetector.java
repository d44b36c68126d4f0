package pando.pd.hot;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import pando.api.KeyHash;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;
import pando.api.hot.HotKeyTable;
import pando.api.hot.SaltedKeys;

/**
 * Decides which keys to salt and which to unsalt: the latest {@link RangeLoad} of each range, the
 * current {@link HotKeyTable}, what was tracked at the previous call and the time go in; decisions
 * and the new tracking come out. Pure and deterministic; immutable.
 *
 * <p>A key's load is summed over every report that names it: the plain key and, for a salted key,
 * its copies (recognised by {@link SaltedKeys#parse}). Counting is per logical operation: a
 * read-hot key's copies also receive every write (copied from the primary), which is counted once,
 * at the plain key; a counter's copies also receive every fan-out read, counted once at the plain
 * key. From the sketch's bounds, each key gets a <em>certain</em> rate (what surely happened) and a
 * <em>possible</em> rate (what may have happened; a copy missing from a report counts as the
 * report's {@link RangeLoad#unseenMax}, and a copy in no reported range makes the rate unknown).
 *
 * <p>Rules:
 *
 * <ol>
 *   <li><b>Salt.</b> A key not in the table whose certain rate was at least {@code
 *       hotKeyOpsPerSecMin} at every call for at least {@code window} (from the first such call to
 *       now) gets {@link Decision.Salt}, with
 *       <ul>
 *         <li>mode WRITE_HOT_COUNTER if at least {@code counterShareMin} of its counted operations
 *             are increments, else READ_HOT if at least {@code readShareMin} are reads, else no
 *             decision: a key hot with Put/Delete/Cas is not salted. Salting cannot spread such a
 *             key's writes (a whole-value write must reach the primary and every copy, so it costs
 *             1 + S writes instead of one) and the primary stays the bottleneck; the remedy for it
 *             is in the application, or a faster node for its range's leader.
 *         <li>salts {@code ceil(certain rate / perCopyOpsPerSecTarget)}, clamped to 2..maxSalts.
 *       </ul>
 *       Truncated keys (known only by a prefix) and keys longer than {@link
 *       SaltedKeys#MAX_SALTABLE_KEY_BYTES} are never salted by the detector.
 *   <li><b>Room.</b> Salt decisions never take the DETECTED entries of the table beyond {@code
 *       maxHotKeys}; if more keys qualify, the hottest (certain rate, then key bytes) are chosen and
 *       the others keep their tracking, to be salted once room appears. Entries are not evicted for
 *       hotter keys: each eviction would be an unsalting that moves data.
 *   <li><b>Unsalt.</b> A DETECTED, ACTIVE entry whose possible rate was at most {@code
 *       coolOpsPerSec} at every call for at least {@code coolWindow} gets {@link Decision.Unsalt}. A
 *       PINNED entry is never unsalted, and entries in SALTING or UNSALTING get no decision (their
 *       operator is in flight).
 * </ol>
 *
 * <p>A call with no report at all leaves every tracking as it was, so a PD leader change or a
 * silent cluster does not reset or trigger windows. Tracked keys are bounded by the reports' keys
 * and the table's entries.
 */
public final class HotKeyDetector {
  /** The salt slot of the plain key. */
  private static final int PLAIN = -1;
  /** The salt slot of copies made for another salt count than the table's. */
  private static final int LEFTOVERS = -2;

  private final HotKeyConfig config;

  public HotKeyDetector(HotKeyConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  public HotKeyConfig config() {
    return config;
  }

  /** What the detector decided. */
  public sealed interface Decision permits Decision.Salt, Decision.Unsalt {
    ByteString key();

    /** Salt the key: add it to the table in SALTING, then carry the salting out. */
    record Salt(ByteString key, Mode mode, int salts, double opsPerSec) implements Decision {}

    /** Unsalt the detected key, which has cooled. */
    record Unsalt(ByteString key, double opsPerSec) implements Decision {}
  }

  /**
   * When each key started being hot (candidates) or cool (detected entries), in the caller's
   * milliseconds.
   */
  public record Tracking(Map<ByteString, Long> hotSinceMs, Map<ByteString, Long> coolSinceMs) {
    public Tracking {
      hotSinceMs = Map.copyOf(hotSinceMs);
      coolSinceMs = Map.copyOf(coolSinceMs);
    }

    public static Tracking empty() {
      return new Tracking(Map.of(), Map.of());
    }
  }

  /** The decisions of one call and the tracking to pass to the next. */
  public record Step(Tracking tracking, List<Decision> decisions) {
    public Step {
      Objects.requireNonNull(tracking, "tracking");
      decisions = List.copyOf(decisions);
    }
  }

  public Step observe(Tracking previous, List<RangeLoad> reports, HotKeyTable table, long nowMs) {
    if (reports.isEmpty()) {
      return new Step(previous, List.of());
    }
    RangeLoad.requireDistinctRanges(reports);
    Map<ByteString, KeyLoad> loads = aggregate(reports, table);
    Map<ByteString, Long> hotSince = new HashMap<>();
    Map<ByteString, Long> coolSince = new HashMap<>();
    List<Decision> decisions = new ArrayList<>();
    salt(previous, loads, table, nowMs, hotSince, decisions);
    unsalt(previous, loads, table, reports, nowMs, coolSince, decisions);
    return new Step(new Tracking(hotSince, coolSince), decisions);
  }

  private void salt(
      Tracking previous, Map<ByteString, KeyLoad> loads, HotKeyTable table, long nowMs,
      Map<ByteString, Long> hotSince, List<Decision> decisions) {
    List<Decision.Salt> ready = new ArrayList<>();
    for (KeyLoad load : loads.values()) {
      if (table.lookup(load.key).isPresent()
          || SaltedKeys.saltingRefusal(load.key).isPresent()
          || load.certainOpsPerSec < config.hotKeyOpsPerSecMin()) {
        continue;
      }
      long since = previous.hotSinceMs().getOrDefault(load.key, nowMs);
      hotSince.put(load.key, since);
      if (nowMs - since >= config.window().toMillis()) {
        modeFor(load).ifPresent(mode ->
            ready.add(new Decision.Salt(load.key, mode, saltsFor(load), load.certainOpsPerSec)));
      }
    }
    long detected =
        table.entries().values().stream().filter(e -> e.origin() == Origin.DETECTED).count();
    long room = Math.max(0, config.maxHotKeys() - detected);
    ready.sort(Comparator.comparingDouble(Decision.Salt::opsPerSec).reversed()
        .thenComparing(Decision.Salt::key, ByteString.unsignedLexicographicalComparator()));
    ready.stream().limit(room).forEach(decisions::add);
  }

  private void unsalt(
      Tracking previous, Map<ByteString, KeyLoad> loads, HotKeyTable table,
      List<RangeLoad> reports, long nowMs, Map<ByteString, Long> coolSince,
      List<Decision> decisions) {
    List<HotKey> entries = new ArrayList<>(table.entries().values());
    entries.sort(Comparator.comparing(HotKey::key, ByteString.unsignedLexicographicalComparator()));
    for (HotKey entry : entries) {
      if (entry.origin() != Origin.DETECTED || entry.state() != State.ACTIVE) {
        continue;
      }
      Optional<Double> possible = possibleOpsPerSec(entry, loads.get(entry.key()), reports);
      if (possible.isEmpty() || possible.get() > config.coolOpsPerSec()) {
        continue;
      }
      long since = previous.coolSinceMs().getOrDefault(entry.key(), nowMs);
      coolSince.put(entry.key(), since);
      if (nowMs - since >= config.coolWindow().toMillis()) {
        decisions.add(new Decision.Unsalt(entry.key(), possible.get()));
      }
    }
  }

  private Optional<Mode> modeFor(KeyLoad load) {
    long counted = load.reads + load.writes + load.increments;
    if (counted == 0) {
      return Optional.empty();
    }
    if (load.increments >= config.counterShareMin() * counted) {
      return Optional.of(Mode.WRITE_HOT_COUNTER);
    }
    if (load.reads >= config.readShareMin() * counted) {
      return Optional.of(Mode.READ_HOT);
    }
    return Optional.empty();
  }

  private int saltsFor(KeyLoad load) {
    double wanted = Math.ceil(load.certainOpsPerSec / config.perCopyOpsPerSecTarget());
    return (int) Math.max(SaltedKeys.MIN_SALTS, Math.min(config.maxSalts(), wanted));
  }

  /**
   * The most operations per second the entry can have had: its plain key's and its copies', each
   * from its sample or, when missing, from the unseen bound of the range its hash lies in; empty
   * if some part lies in no reported range.
   */
  private static Optional<Double> possibleOpsPerSec(
      HotKey entry, KeyLoad load, List<RangeLoad> reports) {
    Set<Integer> seenSalts = load == null ? Set.of() : load.possibleBySalt.keySet();
    double total = seenSalts.contains(LEFTOVERS) ? load.possibleBySalt.get(LEFTOVERS) : 0;
    for (int salt = PLAIN; salt < entry.salts(); salt++) {
      if (seenSalts.contains(salt)) {
        total += load.possibleBySalt.get(salt);
        continue;
      }
      ByteString part = salt == PLAIN ? entry.key() : entry.copy(salt);
      long hash = KeyHash.of(part.toByteArray());
      Optional<RangeLoad> owner =
          reports.stream().filter(r -> r.bounds().contains(hash)).findFirst();
      if (owner.isEmpty()) {
        return Optional.empty();
      }
      total += owner.get().perSec(owner.get().unseenMax());
    }
    return Optional.of(total);
  }

  /** Sums each logical key's samples over every report. */
  private static Map<ByteString, KeyLoad> aggregate(List<RangeLoad> reports, HotKeyTable table) {
    Map<ByteString, KeyLoad> loads = new HashMap<>();
    for (RangeLoad report : reports) {
      for (KeySample sample : report.topKeys()) {
        if (sample.truncated()) {
          continue;
        }
        Optional<SaltedKeys.Copy> copy = SaltedKeys.parse(sample.key());
        if (copy.isEmpty() && SaltedKeys.isReserved(sample.key())) {
          continue;
        }
        ByteString key = copy.map(SaltedKeys.Copy::key).orElse(sample.key());
        // Copies of another salt count than the table's are leftovers: load, but not a salt.
        int salt = copy
            .filter(c -> table.lookup(c.key()).map(e -> e.salts() == c.salts()).orElse(false))
            .map(SaltedKeys.Copy::salt)
            .orElse(copy.isPresent() ? LEFTOVERS : PLAIN);
        Mode mode = table.lookup(key).map(HotKey::mode).orElse(Mode.READ_HOT);
        loads.computeIfAbsent(key, KeyLoad::new).add(report, sample, copy.isPresent(), salt, mode);
      }
    }
    return loads;
  }

  /** One logical key's load, summed over its plain key and copies. */
  private static final class KeyLoad {
    final ByteString key;
    double certainOpsPerSec;
    long reads;
    long writes;
    long increments;
    /** Possible ops/s by salt, or {@link #PLAIN} or {@link #LEFTOVERS}. */
    final Map<Integer, Double> possibleBySalt = new HashMap<>();

    KeyLoad(ByteString key) {
      this.key = key;
    }

    void add(RangeLoad report, KeySample sample, boolean isCopy, int salt, Mode mode) {
      // Operations a copy receives only because of another operation are not counted again.
      long echoes = !isCopy ? 0 : mode == Mode.READ_HOT ? sample.writes() : sample.reads();
      certainOpsPerSec += report.perSec(sample.guaranteed() - echoes);
      possibleBySalt.merge(salt, report.perSec(sample.count() - echoes), Double::sum);
      reads += isCopy && mode == Mode.WRITE_HOT_COUNTER ? 0 : sample.reads();
      writes += isCopy && mode == Mode.READ_HOT ? 0 : sample.writes();
      increments += sample.increments();
    }
  }
}
