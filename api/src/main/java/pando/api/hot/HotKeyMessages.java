package pando.api.hot;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import pando.v1.HotKeysResponse;

/** {@link HotKey} and {@link HotKeyTable} as the public API carries them ({@code pando.v1.HotKey}). */
public final class HotKeyMessages {
  private HotKeyMessages() {}

  public static pando.v1.HotKey toMessage(HotKey hot) {
    return pando.v1.HotKey.newBuilder()
        .setKey(hot.key())
        .setMode(toMessage(hot.mode()))
        .setSalts(hot.salts())
        .setState(switch (hot.state()) {
          case SALTING -> pando.v1.HotKey.State.SALTING;
          case ACTIVE -> pando.v1.HotKey.State.ACTIVE;
          case UNSALTING -> pando.v1.HotKey.State.UNSALTING;
        })
        .setOrigin(switch (hot.origin()) {
          case DETECTED -> pando.v1.HotKey.Origin.DETECTED;
          case PINNED -> pando.v1.HotKey.Origin.PINNED;
        })
        .build();
  }

  public static pando.v1.HotKey.Mode toMessage(HotKey.Mode mode) {
    return switch (mode) {
      case READ_HOT -> pando.v1.HotKey.Mode.READ_HOT;
      case WRITE_HOT_COUNTER -> pando.v1.HotKey.Mode.WRITE_HOT_COUNTER;
    };
  }

  /** The mode a message names; empty if it names none or one this version does not know. */
  public static Optional<HotKey.Mode> mode(pando.v1.HotKey.Mode mode) {
    return switch (mode) {
      case READ_HOT -> Optional.of(HotKey.Mode.READ_HOT);
      case WRITE_HOT_COUNTER -> Optional.of(HotKey.Mode.WRITE_HOT_COUNTER);
      case MODE_UNSPECIFIED, UNRECOGNIZED -> Optional.empty();
    };
  }

  /** @throws IllegalArgumentException if the message is not a valid hot key, saying why */
  public static HotKey fromMessage(pando.v1.HotKey message) {
    HotKey.Mode mode = mode(message.getMode()).orElseThrow(() -> new IllegalArgumentException(
        "hot-key mode must be READ_HOT or WRITE_HOT_COUNTER, got " + message.getModeValue()));
    HotKey.State state = switch (message.getState()) {
      case SALTING -> HotKey.State.SALTING;
      case ACTIVE -> HotKey.State.ACTIVE;
      case UNSALTING -> HotKey.State.UNSALTING;
      case STATE_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException(
          "hot-key state must be SALTING, ACTIVE or UNSALTING, got " + message.getStateValue());
    };
    HotKey.Origin origin = switch (message.getOrigin()) {
      case DETECTED -> HotKey.Origin.DETECTED;
      case PINNED -> HotKey.Origin.PINNED;
      case ORIGIN_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException(
          "hot-key origin must be DETECTED or PINNED, got " + message.getOriginValue());
    };
    return new HotKey(message.getKey(), mode, message.getSalts(), state, origin);
  }

  /** @throws IllegalArgumentException if an entry is not a valid hot key or the table is too large */
  public static HotKeyTable table(HotKeysResponse response) {
    Map<com.google.protobuf.ByteString, HotKey> entries = new HashMap<>();
    for (pando.v1.HotKey message : response.getEntriesList()) {
      HotKey hot = fromMessage(message);
      entries.put(hot.key(), hot);
    }
    return new HotKeyTable(response.getVersion(), entries);
  }
}
