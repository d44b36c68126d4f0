package pando.api.hot;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import pando.api.pd.PdConnection;
import pando.v1.GetHotKeysRequest;
import pando.v1.PlacementDriverGrpc;

/** Fetches the PD's hot-key table (GetHotKeys), as nodes and clients do to keep their copy. */
public final class HotKeyTableFetch {
  /**
   * A full table: {@link HotKeyTable#MAX_ENTRIES} keys of up to {@link
   * SaltedKeys#MAX_SALTABLE_KEY_BYTES} bytes and their fields, far above the 4 MiB gRPC allows an
   * answer by default.
   */
  static final int TABLE_BYTES_MAX = 48 << 20;

  private HotKeyTableFetch() {}

  /**
   * The PD leader's table.
   *
   * @throws io.grpc.StatusRuntimeException if the call failed, e.g. no PD replica answered within
   *     {@code deadline}
   * @throws IllegalArgumentException if an entry is not a valid hot key or the table is too large
   */
  public static HotKeyTable from(PdConnection pd, Duration deadline) {
    return HotKeyMessages.table(pd.call(channel -> PlacementDriverGrpc.newBlockingStub(channel)
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .withMaxInboundMessageSize(TABLE_BYTES_MAX)
        .getHotKeys(GetHotKeysRequest.getDefaultInstance())));
  }
}
