package pando.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

class RequestLimitsTest {
  private final RequestLimits limits = RequestLimits.defaults();

  @Test
  void keysMustHoldOneTo4096Bytes() {
    assertThat(limits.checkKey(ByteString.EMPTY)).hasValue("key must not be empty");
    assertThat(limits.checkKey(ByteString.copyFrom(new byte[1]))).isEmpty();
    assertThat(limits.checkKey(ByteString.copyFrom(new byte[4096]))).isEmpty();
    assertThat(limits.checkKey(ByteString.copyFrom(new byte[4097])))
        .hasValue("key is 4097 bytes; the limit is 4096 bytes");
  }

  @Test
  void valuesMayBeEmptyButNotOverTheLimit() {
    assertThat(limits.checkValue(ByteString.EMPTY)).isEmpty();
    assertThat(limits.checkValue(ByteString.copyFrom(new byte[1024 * 1024]))).isEmpty();
    assertThat(limits.checkValue(ByteString.copyFrom(new byte[1024 * 1024 + 1])))
        .hasValue("value is 1048577 bytes; the limit is 1048576 bytes");
  }

  @Test
  void batchesHoldOneToTheConfiguredNumberOfKeys() {
    assertThat(limits.checkBatchSize(0)).isPresent();
    assertThat(limits.checkBatchSize(1000)).isEmpty();
    assertThat(limits.checkBatchSize(1001)).isPresent();
  }

  @Test
  void aMessageCanCarryAFullBatch() {
    assertThat(limits.maxMessageBytes()).isGreaterThan(limits.maxBatchBytes());
  }
}
