package pando.pd.hot;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import pando.api.hot.HotKey;
import pando.api.hot.HotKeyTable;
import pando.internal.v1.DropHotKeyCommand;
import pando.internal.v1.HotKeyEntry;
import pando.internal.v1.PdResult;
import pando.internal.v1.SetHotKeyCommand;

/**
 * The hot-key table as the placement driver keeps it durably: a {@link HotKeyTable} (what nodes and
 * clients fetch) and, for display, when each entry last changed.
 *
 * <p>Immutable and deterministic, like the rest of the PD's state: {@link #apply} returns the next
 * registry and the answer, and reads nothing but its arguments. A refused command returns this very
 * registry, so nothing changes. The table's version grows by one with every change and never
 * otherwise: applying what the table already holds changes nothing, so a replayed command does not
 * make every node and client refetch the table.
 *
 * <p>Each change names the entry it was computed from (see {@code SetHotKeyCommand.expected}), and
 * is refused with {@code CONFLICT} if the table holds another. Entries move SALTING, ACTIVE,
 * UNSALTING because an operator finished a step; without the guard, an operator's step computed
 * just before an administrator's request could undo it.
 */
public final class HotKeyRegistry {
  private static final Comparator<ByteString> BY_KEY = ByteString.unsignedLexicographicalComparator();

  private final HotKeyTable table;
  private final Map<ByteString, Long> changedAtMs;

  /** What applying one command gave: the registry after it, and the answer to the proposer. */
  public record Applied(HotKeyRegistry registry, PdResult result) {
    public Applied {
      Objects.requireNonNull(registry, "registry");
      Objects.requireNonNull(result, "result");
    }
  }

  private HotKeyRegistry(HotKeyTable table, Map<ByteString, Long> changedAtMs) {
    this.table = table;
    this.changedAtMs = Map.copyOf(changedAtMs);
    if (!this.changedAtMs.keySet().equals(table.entries().keySet())) {
      throw new IllegalStateException("every hot key needs exactly one change time");
    }
  }

  /** The table of a new cluster: no keys, version 0. */
  public static HotKeyRegistry empty() {
    return new HotKeyRegistry(HotKeyTable.empty(), Map.of());
  }

  public HotKeyTable table() {
    return table;
  }

  /** Wall-clock milliseconds when the key's entry last changed; empty if the key has none. */
  public OptionalLong changedAtMs(ByteString key) {
    Long at = changedAtMs.get(key);
    return at == null ? OptionalLong.empty() : OptionalLong.of(at);
  }

  /** Inserts or replaces an entry; see {@code SetHotKeyCommand} for when it is refused. */
  public Applied apply(SetHotKeyCommand command) {
    HotKey next;
    try {
      next = HotKeyProtos.fromEntry(command.getEntry());
    } catch (IllegalArgumentException e) {
      return refuse(PdResult.Status.INVALID, "invalid hot-key entry: " + e.getMessage());
    }
    Optional<HotKey> current = table.lookup(next.key());
    if (current.isPresent() && current.get().equals(next)) {
      return ok("hot key " + KeyText.of(next.key()) + " is already " + describe(next));
    }
    Optional<HotKey> expected;
    try {
      expected = command.hasExpected()
          ? Optional.of(HotKeyProtos.fromEntry(command.getExpected())) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return refuse(PdResult.Status.INVALID, "invalid expected hot-key entry: " + e.getMessage());
    }
    Optional<Applied> conflict = conflict(next.key(), current, expected);
    if (conflict.isPresent()) {
      return conflict.get();
    }
    if (current.isEmpty() && table.size() >= HotKeyTable.MAX_ENTRIES) {
      return refuse(PdResult.Status.TABLE_FULL, "the hot-key table is full (" + HotKeyTable.MAX_ENTRIES
          + " keys); remove keys that are no longer hot before adding others");
    }
    Map<ByteString, Long> times = new HashMap<>(changedAtMs);
    times.put(next.key(), command.getEntry().getChangedAtMs());
    HotKeyRegistry after = new HotKeyRegistry(table.with(next), times);
    return after.ok("hot key " + KeyText.of(next.key()) + " is now " + describe(next));
  }

  /** Removes an entry; see {@code DropHotKeyCommand} for when it is refused. */
  public Applied apply(DropHotKeyCommand command) {
    ByteString key = command.getKey();
    Optional<HotKey> current = table.lookup(key);
    if (current.isEmpty()) {
      return ok("hot key " + KeyText.of(key) + " is not in the table (already dropped)");
    }
    if (command.hasExpected()) {
      HotKey expected;
      try {
        expected = HotKeyProtos.fromEntry(command.getExpected());
      } catch (IllegalArgumentException e) {
        return refuse(PdResult.Status.INVALID, "invalid expected hot-key entry: " + e.getMessage());
      }
      Optional<Applied> conflict = conflict(key, current, Optional.of(expected));
      if (conflict.isPresent()) {
        return conflict.get();
      }
    }
    Map<ByteString, Long> times = new HashMap<>(changedAtMs);
    times.remove(key);
    HotKeyRegistry after = new HotKeyRegistry(table.without(key), times);
    return after.ok("hot key " + KeyText.of(key) + " dropped from the table");
  }

  /** The refusal of a change computed from {@code expected} while the table holds {@code current}. */
  private Optional<Applied> conflict(ByteString key, Optional<HotKey> current, Optional<HotKey> expected) {
    if (expected.isPresent() && !expected.get().key().equals(key)) {
      return Optional.of(refuse(PdResult.Status.INVALID,
          "the expected entry is for key " + KeyText.of(expected.get().key()) + ", not " + KeyText.of(key)));
    }
    if (current.equals(expected)) {
      return Optional.empty();
    }
    return Optional.of(refuse(PdResult.Status.CONFLICT, "hot key " + KeyText.of(key) + " is "
        + current.map(HotKeyRegistry::describe).orElse("not in the table") + ", not "
        + expected.map(HotKeyRegistry::describe).orElse("absent")
        + " as the change expected"));
  }

  /** "READ_HOT with 4 salts, ACTIVE, PINNED". */
  static String describe(HotKey hot) {
    return hot.mode() + " with " + hot.salts() + " salts, " + hot.state() + ", " + hot.origin();
  }

  /**
   * The registry a snapshot describes.
   *
   * @throws IllegalArgumentException naming the first entry that is invalid or files a key twice,
   *     or if there are more than {@link HotKeyTable#MAX_ENTRIES}
   */
  public static HotKeyRegistry fromProto(long version, List<HotKeyEntry> entries) {
    Map<ByteString, HotKey> hot = new HashMap<>();
    Map<ByteString, Long> times = new HashMap<>();
    for (HotKeyEntry entry : entries) {
      HotKey key;
      try {
        key = HotKeyProtos.fromEntry(entry);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("hot key " + KeyText.of(entry.getKey()) + ": " + e.getMessage(), e);
      }
      if (hot.put(key.key(), key) != null) {
        throw new IllegalArgumentException("hot key " + KeyText.of(entry.getKey()) + " appears twice");
      }
      times.put(key.key(), entry.getChangedAtMs());
    }
    return new HotKeyRegistry(new HotKeyTable(version, hot), times);
  }

  /** Every entry sorted by key (unsigned bytes); {@link #fromProto} with the version reads it back. */
  public List<HotKeyEntry> toProto() {
    List<ByteString> keys = new ArrayList<>(table.entries().keySet());
    keys.sort(BY_KEY);
    return keys.stream()
        .map(key -> HotKeyProtos.toEntry(table.entries().get(key), changedAtMs.get(key)))
        .toList();
  }

  /** Every entry sorted by key (unsigned bytes). */
  public List<HotKey> sorted() {
    return table.entries().values().stream().sorted(Comparator.comparing(HotKey::key, BY_KEY)).toList();
  }

  private Applied ok(String message) {
    return new Applied(this, PdResult.newBuilder()
        .setStatus(PdResult.Status.OK)
        .setMessage(message)
        .setHotKeyTableVersion(table.version())
        .build());
  }

  private Applied refuse(PdResult.Status status, String message) {
    return new Applied(this, PdResult.newBuilder()
        .setStatus(status)
        .setMessage(message)
        .setHotKeyTableVersion(table.version())
        .build());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HotKeyRegistry other && table.equals(other.table) && changedAtMs.equals(other.changedAtMs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(table, changedAtMs);
  }

  @Override
  public String toString() {
    return "HotKeyRegistry{version=" + table.version() + ", keys=" + table.size() + "}";
  }
}
