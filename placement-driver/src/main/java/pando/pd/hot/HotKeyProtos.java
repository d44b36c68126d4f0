package pando.pd.hot;

import java.util.Optional;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;
import pando.internal.v1.HotKeyEntry;
import pando.internal.v1.PdCommand;
import pando.internal.v1.SetHotKeyCommand;

/**
 * A {@link HotKey} as the PD's log and snapshot hold it ({@link HotKeyEntry}, and the command that
 * sets it) and as nodes, clients and operators see it ({@link pando.v1.HotKey}). The three enums
 * are mapped one by one, so adding a value to the Java enums breaks the build here instead of
 * silently mapping it to something else.
 */
public final class HotKeyProtos {
  private HotKeyProtos() {}

  /** The log form of {@code hot}, changed at {@code changedAtMs} (wall clock, display only). */
  public static HotKeyEntry toEntry(HotKey hot, long changedAtMs) {
    return HotKeyEntry.newBuilder()
        .setKey(hot.key())
        .setMode(switch (hot.mode()) {
          case READ_HOT -> HotKeyEntry.Mode.READ_HOT;
          case WRITE_HOT_COUNTER -> HotKeyEntry.Mode.WRITE_HOT_COUNTER;
        })
        .setSalts(hot.salts())
        .setState(switch (hot.state()) {
          case SALTING -> HotKeyEntry.State.SALTING;
          case ACTIVE -> HotKeyEntry.State.ACTIVE;
          case UNSALTING -> HotKeyEntry.State.UNSALTING;
        })
        .setOrigin(switch (hot.origin()) {
          case DETECTED -> HotKeyEntry.Origin.DETECTED;
          case PINNED -> HotKeyEntry.Origin.PINNED;
        })
        .setChangedAtMs(changedAtMs)
        .build();
  }

  /**
   * The PD-log command that makes {@code next} the entry of its key, as a compare-and-set on
   * {@code expected}: the entry the change was computed from, empty if the key had none. Only the
   * new entry carries {@code changedAtMs}: the log does not compare it.
   */
  public static PdCommand setHotKey(HotKey next, Optional<HotKey> expected, long changedAtMs) {
    SetHotKeyCommand.Builder set = SetHotKeyCommand.newBuilder().setEntry(toEntry(next, changedAtMs));
    expected.ifPresent(e -> set.setExpected(toEntry(e, 0)));
    return PdCommand.newBuilder().setSetHotKey(set).build();
  }

  /**
   * The hot key a log entry describes.
   *
   * @throws IllegalArgumentException naming what is wrong: an unset or unknown mode, state or
   *     origin, a key that cannot be salted, or salts outside 2..64
   */
  public static HotKey fromEntry(HotKeyEntry entry) {
    Mode mode = switch (entry.getMode()) {
      case READ_HOT -> Mode.READ_HOT;
      case WRITE_HOT_COUNTER -> Mode.WRITE_HOT_COUNTER;
      case MODE_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException(
          "hot-key mode must be READ_HOT or WRITE_HOT_COUNTER, got " + entry.getModeValue());
    };
    State state = switch (entry.getState()) {
      case SALTING -> State.SALTING;
      case ACTIVE -> State.ACTIVE;
      case UNSALTING -> State.UNSALTING;
      case STATE_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException(
          "hot-key state must be SALTING, ACTIVE or UNSALTING, got " + entry.getStateValue());
    };
    Origin origin = switch (entry.getOrigin()) {
      case DETECTED -> Origin.DETECTED;
      case PINNED -> Origin.PINNED;
      case ORIGIN_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException(
          "hot-key origin must be DETECTED or PINNED, got " + entry.getOriginValue());
    };
    // The record checks the key and the salt count, with messages that say why.
    return new HotKey(entry.getKey(), mode, entry.getSalts(), state, origin);
  }

  /** What nodes, clients and operators see of {@code hot}. */
  public static pando.v1.HotKey toPublic(HotKey hot) {
    return pando.api.hot.HotKeyMessages.toMessage(hot);
  }

  public static pando.v1.HotKey.Mode toPublic(Mode mode) {
    return pando.api.hot.HotKeyMessages.toMessage(mode);
  }

  /** The mode a request names; empty if it names none or one this PD does not know. */
  public static Optional<Mode> fromPublic(pando.v1.HotKey.Mode mode) {
    return pando.api.hot.HotKeyMessages.mode(mode);
  }
}
