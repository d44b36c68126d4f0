package pando.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import pando.internal.v1.KeyMeta;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.v1.BatchPutRequest;
import pando.v1.CasRequest;
import pando.v1.DeleteRequest;
import pando.v1.IncrRequest;
import pando.v1.KeyValue;
import pando.v1.PutRequest;

class RangeCommandsTest {
  /** The version the test gives every command's place in the log. */
  private static final long VERSION = KeyVersions.of(3, 17);

  private final NavigableMap<byte[], byte[]> data = new TreeMap<>(Arrays::compareUnsigned);
  private final NavigableMap<byte[], byte[]> metaMap = new TreeMap<>(Arrays::compareUnsigned);
  private final KeyMetas metas = new KeyMetas(metaMap);

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private RangeResult apply(RangeCommand command) {
    return RangeCommands.apply(data, metas, command, VERSION);
  }

  private RangeResult put(String k, String v) {
    return apply(RangeCommand.newBuilder().setPut(PutRequest.newBuilder().setKey(b(k)).setValue(b(v))).build());
  }

  private RangeResult cas(String k, String expected, String next) {
    CasRequest.Builder cas = CasRequest.newBuilder().setKey(b(k)).setNewValue(b(next));
    if (expected != null) {
      cas.setExpected(b(expected));
    }
    return apply(RangeCommand.newBuilder().setCas(cas).build());
  }

  private RangeResult incr(String k, long delta) {
    return apply(RangeCommand.newBuilder().setIncr(IncrRequest.newBuilder().setKey(b(k)).setDelta(delta)).build());
  }

  private String get(String k) {
    var r = RangeCommands.read(data, metas, RangeQuery.newBuilder().addKeys(b(k)).build(), VERSION).getGet().getResults(0);
    return r.getFound() ? r.getValue().toStringUtf8() : null;
  }

  @Test
  void putThenGetReturnsTheValueAndDeleteRemovesIt() {
    put("k", "v1");
    put("k", "v2");
    assertThat(get("k")).isEqualTo("v2");
    RangeResult deleted = apply(RangeCommand.newBuilder().setDelete(DeleteRequest.newBuilder().setKey(b("k"))).build());
    assertThat(deleted.getDelete().getDeleted()).isTrue();
    assertThat(get("k")).isNull();
    RangeResult again = apply(RangeCommand.newBuilder().setDelete(DeleteRequest.newBuilder().setKey(b("k"))).build());
    assertThat(again.getDelete().getDeleted()).isFalse();
  }

  @Test
  void aReadInTheLogAnswersTheCurrentValuesAndChangesNothing() {
    put("k", "v");
    RangeResult read = apply(RangeCommand.newBuilder()
        .setRead(RangeQuery.newBuilder().addKeys(b("k")).addKeys(b("absent"))).build());
    assertThat(read.getStatus()).isEqualTo(RangeResult.Status.OK);
    assertThat(read.getGet().getResults(0).getValue()).isEqualTo(b("v"));
    assertThat(read.getGet().getResults(1).getFound()).isFalse();
    assertThat(get("k")).isEqualTo("v");
    assertThat(get("absent")).isNull();
  }

  @Test
  void casWithoutExpectedCreatesOnlyAnAbsentKey() {
    assertThat(cas("k", null, "first").getCas().getSucceeded()).isTrue();
    RangeResult second = cas("k", null, "second");
    assertThat(second.getCas().getSucceeded()).isFalse();
    assertThat(second.getCas().getCurrent().toStringUtf8()).isEqualTo("first");
    assertThat(get("k")).isEqualTo("first");
  }

  @Test
  void casSwapsOnlyOnAnExactMatch() {
    put("k", "a");
    RangeResult miss = cas("k", "b", "c");
    assertThat(miss.getCas().getSucceeded()).isFalse();
    assertThat(miss.getCas().getCurrentFound()).isTrue();
    assertThat(get("k")).isEqualTo("a");
    assertThat(cas("k", "a", "c").getCas().getSucceeded()).isTrue();
    assertThat(get("k")).isEqualTo("c");
  }

  @Test
  void casWithExpectedFailsOnAnAbsentKey() {
    RangeResult miss = cas("absent", "x", "y");
    assertThat(miss.getCas().getSucceeded()).isFalse();
    assertThat(miss.getCas().getCurrentFound()).isFalse();
    assertThat(get("absent")).isNull();
  }

  @Test
  void incrStartsAbsentCountersAtZero() {
    assertThat(incr("c", 5).getIncr().getValue()).isEqualTo(5);
    assertThat(incr("c", -7).getIncr().getValue()).isEqualTo(-2);
  }

  @Test
  void incrRefusesANonCounterValueAndLeavesItAlone() {
    put("k", "text");
    RangeResult result = incr("k", 1);
    assertThat(result.getStatus()).isEqualTo(RangeResult.Status.FAILED_PRECONDITION);
    assertThat(result.getMessage()).contains("not an 8-byte counter");
    assertThat(get("k")).isEqualTo("text");
  }

  @Test
  void incrRefusesOverflowAndLeavesTheCounterAlone() {
    incr("c", Long.MAX_VALUE);
    RangeResult result = incr("c", 1);
    assertThat(result.getStatus()).isEqualTo(RangeResult.Status.OUT_OF_RANGE);
    assertThat(incr("c", 0).getIncr().getValue()).isEqualTo(Long.MAX_VALUE);
  }

  static Stream<Arguments> writes() {
    return Stream.of(
        Arguments.of("put", RangeCommand.newBuilder().setPut(PutRequest.newBuilder().setKey(b("k")).setValue(b("v"))).build()),
        Arguments.of("delete", RangeCommand.newBuilder().setDelete(DeleteRequest.newBuilder().setKey(b("k"))).build()),
        Arguments.of("cas", RangeCommand.newBuilder().setCas(CasRequest.newBuilder().setKey(b("k")).setNewValue(b("v"))).build()),
        Arguments.of("failed cas", RangeCommand.newBuilder()
            .setCas(CasRequest.newBuilder().setKey(b("k")).setExpected(b("other")).setNewValue(b("v"))).build()),
        Arguments.of("incr", RangeCommand.newBuilder().setIncr(IncrRequest.newBuilder().setKey(b("k")).setDelta(2)).build()),
        Arguments.of("batch put", RangeCommand.newBuilder().setBatchPut(BatchPutRequest.newBuilder()
            .addEntries(KeyValue.newBuilder().setKey(b("k")).setValue(b("v")))
            .addEntries(KeyValue.newBuilder().setKey(b("k2")).setValue(b("v2")))).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("writes")
  void everyWriteAnswersTheVersionOfItsPlaceInTheLog(String name, RangeCommand write) {
    RangeResult result = apply(write);

    assertThat(result.getStatus()).isEqualTo(RangeResult.Status.OK);
    assertThat(result.getKeyVersion()).isEqualTo(VERSION).isEqualTo((3L << 40) | 17);
    assertThat(result.getAsOfVersion()).isZero();
  }

  @Test
  void aRefusedWriteGivesNoVersion() {
    put("k", "text");
    assertThat(incr("k", 1).getKeyVersion()).isZero();
    incr("c", Long.MAX_VALUE);
    assertThat(incr("c", 1).getKeyVersion()).isZero();
  }

  @Test
  void aReadAnswersTheVersionOfTheStateItRead() {
    put("k", "v");
    RangeResult read = apply(RangeCommand.newBuilder().setRead(RangeQuery.newBuilder().addKeys(b("k"))).build());
    assertThat(read.getAsOfVersion()).isEqualTo(VERSION);
    assertThat(read.getKeyVersion()).isZero();
  }

  @Test
  void aReadShowsMetasOnlyWhenAskedInTheOrderOfItsKeys() {
    put("a", "1");
    put("b", "2");
    KeyMeta meta = KeyMeta.newBuilder().setVersion(9).setSealed(true).build();
    metas.put("b".getBytes(UTF_8), meta);
    RangeQuery.Builder query = RangeQuery.newBuilder().addKeys(b("b")).addKeys(b("absent")).addKeys(b("a"));

    RangeResult plain = apply(RangeCommand.newBuilder().setRead(query).build());
    RangeResult withMeta = apply(RangeCommand.newBuilder().setRead(query.setWithMeta(true)).build());

    assertThat(plain.getMetasList()).isEmpty();
    assertThat(plain.getGet().getResults(0).getValue()).isEqualTo(b("2"));
    assertThat(withMeta.getGet()).isEqualTo(plain.getGet());
    assertThat(withMeta.getMetasList())
        .containsExactly(meta, KeyMeta.getDefaultInstance(), KeyMeta.getDefaultInstance());
  }

  @Test
  void aDeleteRemovesTheKeysMetaButAPutKeepsIt() {
    byte[] key = "k".getBytes(UTF_8);
    put("k", "v");
    KeyMeta meta = KeyMeta.newBuilder().addFoldedSalts(1).build();
    metas.put(key, meta);

    put("k", "v2");
    assertThat(metas.of(key)).isEqualTo(meta);

    RangeResult deleted = apply(RangeCommand.newBuilder().setDelete(DeleteRequest.newBuilder().setKey(b("k"))).build());
    assertThat(deleted.getDelete().getDeleted()).isTrue();
    assertThat(metaMap).isEmpty();
    assertThat(data).isEmpty();
  }

  @Test
  void aDeleteOfAKeyWithOnlyAMetaRemovesItButReportsNothingDeleted() {
    metas.put("k".getBytes(UTF_8), KeyMeta.newBuilder().setTombstone(true).setVersion(4).build());
    RangeResult deleted = apply(RangeCommand.newBuilder().setDelete(DeleteRequest.newBuilder().setKey(b("k"))).build());
    assertThat(deleted.getDelete().getDeleted()).isFalse();
    assertThat(metaMap).isEmpty();
  }

  @Test
  void anEmptyCommandChangesNothing() {
    put("k", "v");
    RangeResult result = apply(RangeCommand.getDefaultInstance());
    assertThat(result.getStatus()).isEqualTo(RangeResult.Status.FAILED_PRECONDITION);
    assertThat(data).hasSize(1);
  }
}
