package pando.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import pando.api.hot.SaltedKeys;

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
  void aReservedKeyIsRefusedForWritesWithAMessageThatSaysWhatToDo() {
    ByteString copy = SaltedKeys.salted(ByteString.copyFromUtf8("user:42"), 1, 4);
    ByteString bareReserved = ByteString.copyFrom(new byte[] {0x00, 0x70, 0x6e, 0x64});

    for (ByteString key : new ByteString[] {copy, bareReserved}) {
      assertThat(limits.checkWrittenKey(key)).hasValueSatisfying(message -> assertThat(message)
          .contains("00 70 6e 64").contains("reserves").contains("choose a key that does not start with them"));
      assertThat(limits.checkKeyAndValue(key, ByteString.copyFromUtf8("v")))
          .isEqualTo(limits.checkWrittenKey(key));
    }
  }

  @Test
  void aReservedKeyMayStillBeReadOrIncremented() {
    ByteString copy = SaltedKeys.salted(ByteString.copyFromUtf8("user:42"), 1, 4);
    assertThat(limits.checkKey(copy)).isEmpty();
    assertThat(limits.checkIncrementedKey(copy)).isEmpty();
  }

  @Test
  void onlyASaltedCopyOfTheReservedNamespaceMayBeIncremented() {
    ByteString bareReserved = ByteString.copyFrom(new byte[] {0x00, 0x70, 0x6e, 0x64, 0x41});
    assertThat(limits.checkIncrementedKey(bareReserved)).hasValueSatisfying(message -> assertThat(message)
        .contains("00 70 6e 64").contains("not a salted copy").contains("choose a key that does not start with them"));
    assertThat(limits.checkIncrementedKey(ByteString.copyFromUtf8("hits"))).isEmpty();
    assertThat(limits.checkIncrementedKey(ByteString.EMPTY)).hasValue("key must not be empty");
  }

  @Test
  void keysThatOnlyShareSomeOfThePrefixMayBeWritten() {
    assertThat(limits.checkWrittenKey(ByteString.copyFrom(new byte[] {0x00, 0x70, 0x6e}))).isEmpty();
    assertThat(limits.checkWrittenKey(ByteString.copyFrom(new byte[] {0x00, 0x70, 0x6e, 0x65}))).isEmpty();
    assertThat(limits.checkWrittenKey(ByteString.copyFrom(new byte[] {0x01, 0x00, 0x70, 0x6e, 0x64}))).isEmpty();
    assertThat(limits.checkKeyAndValue(ByteString.copyFromUtf8("pnd"), ByteString.EMPTY)).isEmpty();
  }

  @Test
  void aWrittenKeyIsCheckedForSizeFirstAndAValueAfterTheKey() {
    assertThat(limits.checkWrittenKey(ByteString.EMPTY)).hasValue("key must not be empty");
    ByteString tooBig = ByteString.copyFrom(new byte[1024 * 1024 + 1]);
    assertThat(limits.checkKeyAndValue(ByteString.copyFromUtf8("k"), tooBig))
        .hasValue("value is 1048577 bytes; the limit is 1048576 bytes");
    ByteString reserved = ByteString.copyFrom(new byte[] {0x00, 0x70, 0x6e, 0x64, 0x01});
    assertThat(limits.checkKeyAndValue(reserved, tooBig)).hasValueSatisfying(m -> assertThat(m).contains("reserves"));
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
