package pando.store;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.v1.BatchGetResponse;
import pando.v1.BatchPutResponse;
import pando.v1.CasRequest;
import pando.v1.CasResponse;
import pando.v1.DeleteResponse;
import pando.v1.GetResponse;
import pando.v1.IncrRequest;
import pando.v1.IncrResponse;
import pando.v1.KeyValue;
import pando.v1.PutResponse;

/**
 * What each replicated command does to a range's key space: its values and the {@link KeyMetas}
 * beside them. Pure logic over maps, so the same rules run against MapDB in a node and against
 * plain sorted maps in a test. The commands for salted copies are in {@link HotKeyCommands}.
 *
 * <p>A command either changes the maps fully or not at all: every check happens before the first
 * write.
 */
public final class RangeCommands {
  /** Counters are 8-byte big-endian signed integers. */
  public static final int COUNTER_BYTES = Long.BYTES;

  private RangeCommands() {}

  /**
   * Applies {@code command}. {@code version} is the {@link KeyVersions version} of the command's
   * place in the log: the {@code key_version} of a write that is applied, the {@code
   * as_of_version} of a read.
   */
  static RangeResult apply(Map<byte[], byte[]> data, KeyMetas metas, RangeCommand command, long version) {
    return switch (command.getCommandCase()) {
      case PUT -> {
        data.put(command.getPut().getKey().toByteArray(), command.getPut().getValue().toByteArray());
        yield versioned(RangeResult.newBuilder().setPut(PutResponse.getDefaultInstance()).build(), version);
      }
      case DELETE -> {
        byte[] key = command.getDelete().getKey().toByteArray();
        boolean existed = data.remove(key) != null;
        // A deleted key leaves nothing behind, so a key written again later starts afresh.
        metas.remove(key);
        yield versioned(RangeResult.newBuilder()
            .setDelete(DeleteResponse.newBuilder().setDeleted(existed))
            .build(), version);
      }
      case CAS -> versioned(cas(data, command.getCas()), version);
      case INCR -> versioned(incr(data, metas, command.getIncr()), version);
      case BATCH_PUT -> {
        for (KeyValue entry : command.getBatchPut().getEntriesList()) {
          data.put(entry.getKey().toByteArray(), entry.getValue().toByteArray());
        }
        yield versioned(RangeResult.newBuilder().setBatchPut(BatchPutResponse.getDefaultInstance()).build(), version);
      }
      // A read ordered by the log: the state as of this entry, nothing changed.
      case READ -> read(data, metas, command.getRead(), version);
      case COPY_PUT -> HotKeyCommands.copyPut(data, metas, command.getCopyPut());
      case SEAL_COPY -> HotKeyCommands.sealCopy(data, metas, command.getSealCopy());
      case FOLD_COPY -> HotKeyCommands.foldCopy(data, metas, command.getFoldCopy());
      case CLEAR_FOLDS -> HotKeyCommands.clearFolds(metas, command.getClearFolds());
      // Splits change the range itself and are applied by KvStore.split, batches and sessions by
      // KvStore.apply, never here.
      case SPLIT -> failed(RangeResult.Status.FAILED_PRECONDITION, "a split is not a data command");
      case BATCH, OPEN_SESSION -> failed(RangeResult.Status.FAILED_PRECONDITION,
          command.getCommandCase() + " is not a data command");
      case COMMAND_NOT_SET -> failed(RangeResult.Status.FAILED_PRECONDITION, "empty command");
    };
  }

  /** The keys a command touches; none for a split, which is about the range, not a key. */
  public static List<ByteString> keys(RangeCommand command) {
    return switch (command.getCommandCase()) {
      case PUT -> List.of(command.getPut().getKey());
      case DELETE -> List.of(command.getDelete().getKey());
      case CAS -> List.of(command.getCas().getKey());
      case INCR -> List.of(command.getIncr().getKey());
      case BATCH_PUT -> command.getBatchPut().getEntriesList().stream().map(KeyValue::getKey).toList();
      case READ -> command.getRead().getKeysList();
      case COPY_PUT -> List.of(command.getCopyPut().getKey());
      case SEAL_COPY -> List.of(command.getSealCopy().getKey());
      case FOLD_COPY -> List.of(command.getFoldCopy().getKey());
      case CLEAR_FOLDS -> List.of(command.getClearFolds().getKey());
      case BATCH -> command.getBatch().getProposalsList().stream().flatMap(p -> keys(p.getCommand()).stream()).toList();
      case SPLIT, OPEN_SESSION, COMMAND_NOT_SET -> List.of();
    };
  }

  /**
   * The values of the query's keys, stamped {@code asOfVersion}, and their metas if the query asks
   * for them.
   */
  static RangeResult read(Map<byte[], byte[]> data, KeyMetas metas, RangeQuery query, long asOfVersion) {
    BatchGetResponse.Builder values = BatchGetResponse.newBuilder();
    RangeResult.Builder result = RangeResult.newBuilder().setAsOfVersion(asOfVersion);
    for (ByteString key : query.getKeysList()) {
      byte[] k = key.toByteArray();
      byte[] value = data.get(k);
      values.addResults(
          value == null
              ? GetResponse.getDefaultInstance()
              : GetResponse.newBuilder().setFound(true).setValue(ByteString.copyFrom(value)).build());
      if (query.getWithMeta()) {
        result.addMetas(metas.of(k));
      }
    }
    return result.setGet(values).build();
  }

  private static RangeResult versioned(RangeResult result, long keyVersion) {
    // A refused write changed nothing, so it gave no key a version.
    return result.getStatus() == RangeResult.Status.OK ? result.toBuilder().setKeyVersion(keyVersion).build() : result;
  }

  private static RangeResult cas(Map<byte[], byte[]> data, CasRequest cas) {
    byte[] key = cas.getKey().toByteArray();
    byte[] current = data.get(key);
    boolean matches =
        cas.hasExpected()
            ? current != null && Arrays.equals(current, cas.getExpected().toByteArray())
            : current == null;
    CasResponse.Builder response = CasResponse.newBuilder().setSucceeded(matches);
    if (matches) {
      data.put(key, cas.getNewValue().toByteArray());
    } else if (current != null) {
      response.setCurrentFound(true).setCurrent(ByteString.copyFrom(current));
    }
    return RangeResult.newBuilder().setCas(response).build();
  }

  private static RangeResult incr(Map<byte[], byte[]> data, KeyMetas metas, IncrRequest incr) {
    byte[] key = incr.getKey().toByteArray();
    if (metas.of(key).getSealed()) {
      // An increment taken now would be lost: the copy's value is being folded into its plain key.
      return failed(RangeResult.Status.FAILED_PRECONDITION,
          "the key is a sealed copy of a salted counter, being folded into its plain key;"
              + " refresh the hot-key table and increment the plain key instead");
    }
    RangeResult sum = counterSum(data.get(key), incr.getDelta());
    if (sum.getStatus() == RangeResult.Status.OK) {
      data.put(key, encodeCounter(sum.getIncr().getValue()));
    }
    return sum;
  }

  /**
   * {@code current + delta} as an Incr result, an absent value ({@code null}) counting 0; or the
   * refusal if {@code current} is not a counter or the sum overflows. Changes nothing.
   */
  static RangeResult counterSum(byte[] current, long delta) {
    long base = 0;
    if (current != null) {
      if (current.length != COUNTER_BYTES) {
        return failed(
            RangeResult.Status.FAILED_PRECONDITION,
            "value of the key is " + current.length + " bytes, not an 8-byte counter");
      }
      base = ByteBuffer.wrap(current).getLong();
    }
    try {
      long next = Math.addExact(base, delta);
      return RangeResult.newBuilder().setIncr(IncrResponse.newBuilder().setValue(next)).build();
    } catch (ArithmeticException overflow) {
      return failed(
          RangeResult.Status.OUT_OF_RANGE,
          "counter " + base + " + " + delta + " overflows a signed 64-bit integer");
    }
  }

  public static byte[] encodeCounter(long value) {
    return ByteBuffer.allocate(COUNTER_BYTES).putLong(value).array();
  }

  static RangeResult failed(RangeResult.Status status, String message) {
    return RangeResult.newBuilder().setStatus(status).setMessage(message).build();
  }
}
