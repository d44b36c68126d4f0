package pando.store;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import pando.internal.v1.RangeCommand;
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
 * What each replicated command does to a range's key space. Pure logic over a map, so the same
 * rules run against MapDB in a node and against a plain sorted map in a test.
 *
 * <p>A command either changes the map fully or not at all: every check happens before the first
 * write.
 */
public final class RangeCommands {
  /** Counters are 8-byte big-endian signed integers. */
  public static final int COUNTER_BYTES = Long.BYTES;

  private RangeCommands() {}

  public static RangeResult apply(Map<byte[], byte[]> data, RangeCommand command) {
    return switch (command.getCommandCase()) {
      case PUT -> {
        data.put(command.getPut().getKey().toByteArray(), command.getPut().getValue().toByteArray());
        yield RangeResult.newBuilder().setPut(PutResponse.getDefaultInstance()).build();
      }
      case DELETE -> {
        boolean existed = data.remove(command.getDelete().getKey().toByteArray()) != null;
        yield RangeResult.newBuilder()
            .setDelete(DeleteResponse.newBuilder().setDeleted(existed))
            .build();
      }
      case CAS -> cas(data, command.getCas());
      case INCR -> incr(data, command.getIncr());
      case BATCH_PUT -> {
        for (KeyValue entry : command.getBatchPut().getEntriesList()) {
          data.put(entry.getKey().toByteArray(), entry.getValue().toByteArray());
        }
        yield RangeResult.newBuilder().setBatchPut(BatchPutResponse.getDefaultInstance()).build();
      }
      // A read ordered by the log: the state as of this entry, nothing changed.
      case READ -> RangeResult.newBuilder().setGet(read(data, command.getRead().getKeysList())).build();
      // Splits change the range itself and are applied by KvStore.split, never here.
      case SPLIT -> failed(RangeResult.Status.FAILED_PRECONDITION, "a split is not a data command");
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
      case SPLIT, COMMAND_NOT_SET -> List.of();
    };
  }

  public static BatchGetResponse read(Map<byte[], byte[]> data, List<ByteString> keys) {
    BatchGetResponse.Builder response = BatchGetResponse.newBuilder();
    for (ByteString key : keys) {
      byte[] value = data.get(key.toByteArray());
      response.addResults(
          value == null
              ? GetResponse.getDefaultInstance()
              : GetResponse.newBuilder().setFound(true).setValue(ByteString.copyFrom(value)).build());
    }
    return response.build();
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

  private static RangeResult incr(Map<byte[], byte[]> data, IncrRequest incr) {
    byte[] key = incr.getKey().toByteArray();
    byte[] current = data.get(key);
    long base = 0;
    if (current != null) {
      if (current.length != COUNTER_BYTES) {
        return failed(
            RangeResult.Status.FAILED_PRECONDITION,
            "value of the key is " + current.length + " bytes, not an 8-byte counter");
      }
      base = ByteBuffer.wrap(current).getLong();
    }
    long next;
    try {
      next = Math.addExact(base, incr.getDelta());
    } catch (ArithmeticException overflow) {
      return failed(
          RangeResult.Status.OUT_OF_RANGE,
          "counter " + base + " + " + incr.getDelta() + " overflows a signed 64-bit integer");
    }
    data.put(key, encodeCounter(next));
    return RangeResult.newBuilder().setIncr(IncrResponse.newBuilder().setValue(next)).build();
  }

  public static byte[] encodeCounter(long value) {
    return ByteBuffer.allocate(COUNTER_BYTES).putLong(value).array();
  }

  private static RangeResult failed(RangeResult.Status status, String message) {
    return RangeResult.newBuilder().setStatus(status).setMessage(message).build();
  }
}
