package pando.node;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import pando.api.hot.HotKey;
import pando.api.hot.HotKeyTable;
import pando.api.hot.SaltedKeys;
import pando.internal.v1.CopyPut;
import pando.internal.v1.RangeCommand;
import pando.internal.v1.RangeQuery;
import pando.internal.v1.RangeResult;
import pando.v1.GetResponse;

/**
 * What a node does for hot keys beyond serving the key asked: it copies each write of a read-hot
 * key to the key's salted copies, sums a salted counter over its copies when it is read, and
 * refuses requests for copies that are not in use. See {@link HotKey} for the rules and what a
 * reader can see; this class carries them out with the range commands of {@code
 * pando.store.HotKeyCommands}.
 *
 * <p>The node, not the client, copies writes: a client that has not fetched the newest hot-key
 * table still writes through a node, and the placement driver waits until every node has settled
 * on a table (see {@link HotKeyView}) before it fills copies or lets clients read them. Copies are
 * updated all at once, each with "put if newer", and updates of one copy that queue behind each
 * other collapse into the newest ({@link CopyUpdates}): a write of a read-hot key costs one Raft
 * round at its range and then one at the copies' ranges in parallel, not one per copy in turn.
 */
final class SaltedCopies {
  /** Where a key's range is answered, and how long a step may take. */
  interface Ranges {
    long rangeOf(ByteString key);

    CompletableFuture<RangeResult> write(long rangeId, RangeCommand command);

    CompletableFuture<RangeResult> read(long rangeId, RangeQuery query, boolean stale);
  }

  private final Ranges ranges;
  private final CopyUpdates updates;

  /** @param stepTimeout how long one update of one copy may take before its waiters fail */
  SaltedCopies(Ranges ranges, Duration stepTimeout) {
    this.ranges = ranges;
    this.updates = new CopyUpdates(this::putIfNewer, stepTimeout);
  }

  /** Copies kept through the ranges' leaders, routed by this node's current layout. */
  static SaltedCopies over(java.util.function.Supplier<RangeLayout> layout, NodeWriter writer, RangeAccess access,
      Duration stepTimeout) {
    return new SaltedCopies(new Ranges() {
      @Override
      public long rangeOf(ByteString key) {
        return layout.get().rangeFor(key.toByteArray()).id();
      }

      @Override
      public CompletableFuture<RangeResult> write(long rangeId, RangeCommand command) {
        return writer.write(rangeId, command, null, System.nanoTime() + stepTimeout.toNanos());
      }

      @Override
      public CompletableFuture<RangeResult> read(long rangeId, RangeQuery query, boolean stale) {
        return access.read(rangeId, query, stale, System.nanoTime() + stepTimeout.toNanos());
      }
    }, stepTimeout);
  }

  /** The refusal of a read of a salted copy, or empty if the copy is in use for reads. */
  static Optional<String> copyReadRefusal(HotKeyTable table, ByteString key) {
    return refusal(table, key, HotKey.Mode.READ_HOT, "read");
  }

  /** The refusal of an Incr of a salted copy, or empty if the copy takes increments now. */
  static Optional<String> copyIncrementRefusal(HotKeyTable table, ByteString key) {
    return refusal(table, key, HotKey.Mode.WRITE_HOT_COUNTER, "incremented");
  }

  private static Optional<String> refusal(HotKeyTable table, ByteString key, HotKey.Mode mode, String verb) {
    Optional<SaltedKeys.Copy> copy = SaltedKeys.parse(key);
    if (copy.isEmpty()) {
      return Optional.empty(); // a plain key
    }
    Optional<HotKey> hot = table.lookup(copy.get().key());
    boolean inUse = hot.isPresent() && hot.get().mode() == mode && hot.get().state() == HotKey.State.ACTIVE
        && hot.get().salts() == copy.get().salts();
    return inUse ? Optional.empty() : Optional.of(STALE_COPY + verb + " now; fetch the hot-key table again"
        + " and use the plain key");
  }

  /** The start of the refusal of a copy that is not in use; clients recognise it. */
  static final String STALE_COPY = "salted copy not in use: this copy of a hot key cannot be ";

  /** The entry of {@code key} if it is salted as a counter. */
  static Optional<HotKey> counter(HotKeyTable table, ByteString key) {
    return table.lookup(key).filter(h -> h.mode() == HotKey.Mode.WRITE_HOT_COUNTER);
  }

  /**
   * True if writes of {@code hot}'s key must be copied to its salts: for a read-hot key in every
   * state, UNSALTING included. Nodes learn a table at different times: a node that already knows
   * the key is UNSALTING could otherwise acknowledge a write without copying it while another node,
   * still on ACTIVE, serves a read of a copy, which would then miss the acknowledged write. Copies
   * stop being written once the key has left the table.
   */
  static boolean copiesWrites(HotKey hot) {
    return hot.mode() == HotKey.Mode.READ_HOT;
  }

  /**
   * Copies the effect of a write at the primary to every copy of {@code hot}, all at once;
   * completes once all took it (or held a newer version). {@code result} is the primary's answer
   * to {@code command}; a write that changed nothing (a failed Cas) copies nothing.
   */
  CompletableFuture<Void> copyWrite(HotKey hot, RangeCommand command, RangeResult result) {
    Optional<Optional<ByteString>> effect = effect(command, result);
    if (effect.isEmpty() || result.getKeyVersion() == 0) {
      return CompletableFuture.completedFuture(null);
    }
    CopyPut.Builder put = CopyPut.newBuilder().setVersion(result.getKeyVersion())
        .setPresent(effect.get().isPresent())
        .setValue(effect.get().orElse(ByteString.EMPTY));
    return copyToAll(hot, put);
  }

  /**
   * Fills every copy of {@code hot} from the primary's value now: a linearizable read of the
   * primary, tagged with the version it reflects, then "put if newer" to every copy. A
   * write racing with the fill wins if newer, so the copies end up at least as new as the read.
   */
  CompletableFuture<Void> fill(HotKey hot) {
    long rangeId = ranges.rangeOf(hot.key());
    return ranges.read(rangeId, RangeQuery.newBuilder().addKeys(hot.key()).build(), false)
        .thenCompose(read -> {
          requireOk(read, "reading the primary");
          GetResponse value = read.getGet().getResults(0);
          CopyPut.Builder put = CopyPut.newBuilder().setVersion(read.getAsOfVersion())
              .setPresent(value.getFound())
              .setValue(value.getFound() ? value.getValue() : ByteString.EMPTY);
          return copyToAll(hot, put);
        });
  }

  /** Deletes every copy of {@code hot} (with what the range recorded about it). */
  CompletableFuture<Void> deleteCopies(HotKey hot) {
    List<CompletableFuture<RangeResult>> deletes = new ArrayList<>();
    for (ByteString copy : hot.copies()) {
      deletes.add(ranges.write(ranges.rangeOf(copy), RangeCommand.newBuilder()
          .setDelete(pando.v1.DeleteRequest.newBuilder().setKey(copy)).build())
          .thenApply(r -> requireOk(r, "deleting a salted copy")));
    }
    return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new));
  }

  /**
   * Moves a salted counter's copies back into its plain key: each copy in turn is sealed (no
   * increment is taken after that) and its value folded into the plain key (which records the
   * salt, so a repeated fold adds nothing); then the copies are deleted and the record of folds
   * cleared. Readers see the same total throughout, because they skip copies the plain key names
   * folded. Every step may be repeated, so an interrupted unsalting can start over.
   */
  CompletableFuture<Void> foldCounter(HotKey hot) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    long plainRange = ranges.rangeOf(hot.key());
    for (int salt = 0; salt < hot.salts(); salt++) {
      int s = salt;
      ByteString copy = hot.copy(salt);
      chain = chain
          .thenCompose(ignored -> ranges.write(ranges.rangeOf(copy), RangeCommand.newBuilder()
              .setSealCopy(pando.internal.v1.SealCopy.newBuilder().setKey(copy)).build()))
          .thenCompose(sealed -> {
            requireOk(sealed, "sealing salted copy " + s);
            long delta = sealed.getSealCopy().getFound() ? counterValue(sealed.getSealCopy().getValue(), s) : 0;
            return ranges.write(plainRange, RangeCommand.newBuilder().setFoldCopy(pando.internal.v1.FoldCopy.newBuilder()
                .setKey(hot.key()).setSalt(s).setSalts(hot.salts()).setDelta(delta)).build());
          })
          .thenAccept(folded -> requireOk(folded, "folding salted copy " + s + " into the counter"));
    }
    return chain
        .thenCompose(ignored -> deleteCopies(hot))
        .thenCompose(ignored -> ranges.write(plainRange, RangeCommand.newBuilder()
            .setClearFolds(pando.internal.v1.ClearFolds.newBuilder().setKey(hot.key())).build()))
        .thenAccept(r -> requireOk(r, "clearing the counter's record of folds"));
  }

  private static long counterValue(ByteString value, int salt) {
    if (value.size() != Long.BYTES) {
      throw new StatusFailure(Status.FAILED_PRECONDITION.withDescription(
          "salted copy " + salt + " holds " + value.size() + " bytes, not an 8-byte counter"));
    }
    return value.asReadOnlyByteBuffer().getLong();
  }

  private CompletableFuture<Void> copyToAll(HotKey hot, CopyPut.Builder put) {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (ByteString copy : hot.copies()) {
      all.add(updates.update(put.clone().setKey(copy).build()));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> putIfNewer(CopyPut put) {
    return ranges.write(ranges.rangeOf(put.getKey()), RangeCommand.newBuilder().setCopyPut(put).build())
        .thenAccept(r -> requireOk(r, "updating salted copy "
            + SaltedKeys.parse(put.getKey()).map(c -> c.salt()).orElse(-1)));
  }

  /**
   * What a write did to its key, if anything: the new value, or empty for a deletion. Empty
   * (outer) if nothing changed or the command is not a single-key write.
   */
  static Optional<Optional<ByteString>> effect(RangeCommand command, RangeResult result) {
    if (result.getStatus() != RangeResult.Status.OK) {
      return Optional.empty();
    }
    return switch (command.getCommandCase()) {
      case PUT -> Optional.of(Optional.of(command.getPut().getValue()));
      case DELETE -> Optional.of(Optional.empty());
      case CAS -> result.getCas().getSucceeded()
          ? Optional.of(Optional.of(command.getCas().getNewValue()))
          : Optional.empty();
      case INCR -> Optional.of(Optional.of(counterBytes(result.getIncr().getValue())));
      default -> Optional.empty();
    };
  }

  /**
   * Reads a salted counter: every copy, then the plain key with the salts folded into it, and
   * their sum as an 8-byte counter (absent if neither the plain key nor any copy holds a value).
   * The copies are read before the plain key, which is what makes a fold (which adds a copy to the
   * plain key and marks it folded in one command) invisible to readers.
   */
  CompletableFuture<GetResponse> sumCounter(HotKey hot, boolean stale) {
    List<CompletableFuture<Optional<ByteString>>> copies = new ArrayList<>();
    for (ByteString copy : hot.copies()) {
      copies.add(ranges.read(ranges.rangeOf(copy), RangeQuery.newBuilder().addKeys(copy).build(), stale)
          .thenApply(r -> valueOf(requireOk(r, "reading a salted copy"))));
    }
    return CompletableFuture.allOf(copies.toArray(CompletableFuture[]::new))
        .thenCompose(ignored -> ranges.read(ranges.rangeOf(hot.key()),
            RangeQuery.newBuilder().addKeys(hot.key()).setWithMeta(true).build(), stale))
        .thenApply(plainRead -> {
          requireOk(plainRead, "reading the counter");
          Optional<ByteString> plain = valueOf(plainRead);
          Set<Integer> folded = plainRead.getMetasCount() == 0 ? Set.of()
              : Set.copyOf(plainRead.getMetas(0).getFoldedSaltsList());
          List<Optional<ByteString>> values = copies.stream().map(CompletableFuture::join).toList();
          if (plain.isEmpty() && values.stream().allMatch(Optional::isEmpty)) {
            return GetResponse.newBuilder().setFound(false).build();
          }
          HotKey.CounterSum sum = hot.sumCounter(plain, folded, values);
          if (sum instanceof HotKey.CounterSum.Value v) {
            return GetResponse.newBuilder().setFound(true).setValue(counterBytes(v.value())).build();
          }
          if (sum instanceof HotKey.CounterSum.Overflow o) {
            throw new StatusFailure(Status.OUT_OF_RANGE.withDescription(o.message()));
          }
          throw new StatusFailure(Status.FAILED_PRECONDITION.withDescription(((HotKey.CounterSum.NotACounter) sum).message()));
        });
  }

  private static RangeResult requireOk(RangeResult result, String step) {
    Status status = StatusMapping.forResult(result);
    if (!status.isOk()) {
      throw new StatusFailure(status.withDescription(step + ": " + status.getDescription()));
    }
    return result;
  }

  private static Optional<ByteString> valueOf(RangeResult read) {
    GetResponse r = read.getGet().getResults(0);
    return r.getFound() ? Optional.of(r.getValue()) : Optional.empty();
  }

  static ByteString counterBytes(long value) {
    return ByteString.copyFrom(ByteBuffer.allocate(Long.BYTES).putLong(value).array());
  }
}
