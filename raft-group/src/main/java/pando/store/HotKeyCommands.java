package pando.store;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import pando.api.hot.SaltedKeys;
import pando.internal.v1.ClearFolds;
import pando.internal.v1.ClearFoldsResult;
import pando.internal.v1.CopyPut;
import pando.internal.v1.CopyPutResult;
import pando.internal.v1.FoldCopy;
import pando.internal.v1.FoldCopyResult;
import pando.internal.v1.KeyMeta;
import pando.internal.v1.RangeResult;
import pando.internal.v1.SealCopy;
import pando.internal.v1.SealCopyResult;

/**
 * What the commands that maintain the salted copies of hot keys do to one range (the protocol
 * they serve is in {@link pando.api.hot.HotKey}). Each command is about one key, and, like every
 * range command, checks everything before it changes anything.
 *
 * <ul>
 *   <li>{@link CopyPut} and {@link SealCopy} act on a salted copy, in the range the copy hashes to.
 *   <li>{@link FoldCopy} and {@link ClearFolds} act on a plain counter key, in its own range.
 * </ul>
 */
final class HotKeyCommands {
  private HotKeyCommands() {}

  /** "Put if newer": the copy takes the value (or its absence) only if its own version is lower. */
  static RangeResult copyPut(Map<byte[], byte[]> data, KeyMetas metas, CopyPut put) {
    Optional<String> refusal = notACopy("CopyPut", put.getKey());
    if (refusal.isEmpty() && put.getVersion() == 0) {
      refusal = Optional.of("CopyPut needs the primary's key version of the value; version 0 is none");
    }
    if (refusal.isPresent()) {
      return RangeCommands.failed(RangeResult.Status.FAILED_PRECONDITION, refusal.get());
    }
    byte[] key = put.getKey().toByteArray();
    KeyMeta meta = metas.of(key);
    // Versions are unsigned 64-bit numbers; a copy without meta has version 0, below any real one.
    if (Long.compareUnsigned(meta.getVersion(), put.getVersion()) >= 0) {
      return copyPutResult(false, meta.getVersion());
    }
    if (put.getPresent()) {
      data.put(key, put.getValue().toByteArray());
    } else {
      data.remove(key);
    }
    // The tombstone keeps the version of a deletion, so an older value arriving late cannot
    // bring the copy back. Other marks (sealed) stay.
    metas.put(key, meta.toBuilder().setVersion(put.getVersion()).setTombstone(!put.getPresent()).build());
    return copyPutResult(true, put.getVersion());
  }

  /** Marks a counter copy sealed (no more Incr) and answers its value, which it keeps. */
  static RangeResult sealCopy(Map<byte[], byte[]> data, KeyMetas metas, SealCopy seal) {
    Optional<String> refusal = notACopy("SealCopy", seal.getKey());
    if (refusal.isPresent()) {
      return RangeCommands.failed(RangeResult.Status.FAILED_PRECONDITION, refusal.get());
    }
    byte[] key = seal.getKey().toByteArray();
    // An absent copy is sealed too: an increment arriving after the fold read it would be lost.
    metas.put(key, metas.of(key).toBuilder().setSealed(true).build());
    byte[] value = data.get(key);
    SealCopyResult.Builder result = SealCopyResult.newBuilder();
    if (value != null) {
      result.setFound(true).setValue(ByteString.copyFrom(value));
    }
    return RangeResult.newBuilder().setSealCopy(result).build();
  }

  /**
   * Adds a copy's value to its plain counter and records the copy's salt as folded, in one
   * command, unless that salt was folded already.
   */
  static RangeResult foldCopy(Map<byte[], byte[]> data, KeyMetas metas, FoldCopy fold) {
    Optional<String> refusal = SaltedKeys.copyRefusal(fold.getKey(), fold.getSalt(), fold.getSalts());
    if (refusal.isPresent()) {
      return RangeCommands.failed(RangeResult.Status.FAILED_PRECONDITION,
          "FoldCopy needs a plain key that can be salted and a salt of it: " + refusal.get());
    }
    byte[] key = fold.getKey().toByteArray();
    byte[] current = data.get(key);
    KeyMeta meta = metas.of(key);
    boolean folded = meta.getFoldedSaltsList().contains(fold.getSalt());
    // Adding 0 answers the current value, or refuses a value that is not a counter.
    RangeResult sum = RangeCommands.counterSum(current, folded ? 0 : fold.getDelta());
    if (sum.getStatus() != RangeResult.Status.OK) {
      return sum;
    }
    long value = sum.getIncr().getValue();
    if (!folded) {
      data.put(key, RangeCommands.encodeCounter(value));
      List<Integer> salts = new ArrayList<>(meta.getFoldedSaltsList());
      salts.add(fold.getSalt());
      Collections.sort(salts);
      metas.put(key, meta.toBuilder().clearFoldedSalts().addAllFoldedSalts(salts).build());
    }
    return RangeResult.newBuilder()
        .setFoldCopy(FoldCopyResult.newBuilder().setApplied(!folded).setValue(value)).build();
  }

  /** Forgets the key's folded salts; its meta goes if nothing else is left in it. */
  static RangeResult clearFolds(KeyMetas metas, ClearFolds clear) {
    byte[] key = clear.getKey().toByteArray();
    metas.put(key, metas.of(key).toBuilder().clearFoldedSalts().build());
    return RangeResult.newBuilder().setClearFolds(ClearFoldsResult.getDefaultInstance()).build();
  }

  private static Optional<String> notACopy(String command, ByteString key) {
    return SaltedKeys.parse(key).isPresent()
        ? Optional.empty()
        : Optional.of(command + " applies only to the key of a salted copy (00 70 6e 64 73 | salt | salts | key)");
  }

  private static RangeResult copyPutResult(boolean applied, long storedVersion) {
    return RangeResult.newBuilder()
        .setCopyPut(CopyPutResult.newBuilder().setApplied(applied).setStoredVersion(storedVersion)).build();
  }
}
