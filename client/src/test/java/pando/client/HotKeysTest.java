package pando.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.List;
import org.junit.jupiter.api.Test;
import pando.api.hot.HotKey;
import pando.api.hot.HotKeyMessages;
import pando.api.pd.PdConnection;
import pando.v1.HotKeysResponse;

class HotKeysTest {
  @Test
  void aTableLargerThanGrpcsDefaultMessageLimitArrives() throws Exception {
    // 1,200 keys of 4,000 bytes: about 4.8 MB, past gRPC's default limit of 4 MiB on an answer.
    HotKeysResponse.Builder table = HotKeysResponse.newBuilder().setVersion(7);
    for (int i = 0; i < 1_200; i++) {
      ByteString key = ByteString.copyFromUtf8(String.format("%04d", i) + "k".repeat(3_996));
      table.addEntries(HotKeyMessages.toMessage(
          new HotKey(key, HotKey.Mode.READ_HOT, 4, HotKey.State.ACTIVE, HotKey.Origin.PINNED)));
    }
    assertThat(table.build().getSerializedSize()).isGreaterThan(4 << 20);

    try (FakeCluster cluster = new FakeCluster();
        PdConnection pd = new PdConnection(List.of(cluster.pdAddress))) {
      cluster.pd.hotKeys(table.build());
      HotKeys hotKeys = new HotKeys(pd, System::nanoTime, Runnable::run);

      hotKeys.refreshNow();

      assertThat(hotKeys.current().version()).isEqualTo(7);
      assertThat(hotKeys.current().size()).isEqualTo(1_200);
    }
  }
}
