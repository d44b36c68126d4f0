package pando.pd.hot;

import com.google.protobuf.ByteString;
import java.util.Optional;
import pando.api.hot.HotKey;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.State;
import pando.internal.v1.DropHotKeyCommand;
import pando.internal.v1.PdCommand;
import pando.internal.v1.SetHotKeyCommand;

/** Builders of hot keys and hot-key commands for tests. */
public final class HotKeys {
  private HotKeys() {}

  public static ByteString key(String text) {
    return ByteString.copyFromUtf8(text);
  }

  public static HotKey readHot(String key, int salts, State state, Origin origin) {
    return new HotKey(key(key), Mode.READ_HOT, salts, state, origin);
  }

  /** A key an operator just pinned: READ_HOT, SALTING, PINNED. */
  public static HotKey pinned(String key, int salts) {
    return readHot(key, salts, State.SALTING, Origin.PINNED);
  }

  /** Sets {@code next} where the key had {@code expected} (empty: no entry), changed at {@code atMs}. */
  public static SetHotKeyCommand set(HotKey next, Optional<HotKey> expected, long atMs) {
    return HotKeyProtos.setHotKey(next, expected, atMs).getSetHotKey();
  }

  /** Inserts a new key. */
  public static SetHotKeyCommand insert(HotKey next, long atMs) {
    return set(next, Optional.empty(), atMs);
  }

  public static DropHotKeyCommand drop(ByteString key, Optional<HotKey> expected) {
    DropHotKeyCommand.Builder drop = DropHotKeyCommand.newBuilder().setKey(key);
    expected.ifPresent(e -> drop.setExpected(HotKeyProtos.toEntry(e, 0)));
    return drop.build();
  }

  public static PdCommand command(SetHotKeyCommand set) {
    return PdCommand.newBuilder().setSetHotKey(set).build();
  }

  public static PdCommand command(DropHotKeyCommand drop) {
    return PdCommand.newBuilder().setDropHotKey(drop).build();
  }
}
