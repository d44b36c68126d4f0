package pando.pd.hot;

import com.google.protobuf.ByteString;
import java.util.Map;

/**
 * The load of hot keys as the PD leader last heard it, for operators ({@code Admin.ListHotKeys}).
 * The PD leader's view is built from the load sketches nodes report in heartbeats; it is soft
 * state, like the heartbeats themselves, and starts empty on a new leader.
 *
 * <p>Implementations are called from gRPC threads and must be safe for that.
 */
@FunctionalInterface
public interface HotKeyRates {
  /**
   * The keys the detector watches now, by plain key: each key of the hot-key table it has load
   * for, and each key not in the table whose rate reaches the detector's threshold (whether or not
   * it has been hot for long enough to be salted). A key's rates are summed over its plain key and
   * its copies, each operation counted once. Bounded by what the detector tracks.
   */
  Map<ByteString, KeyRates> current();

  /** No load known: what the PD answers before heartbeats carry load sketches. */
  static HotKeyRates none() {
    return Map::of;
  }
}
