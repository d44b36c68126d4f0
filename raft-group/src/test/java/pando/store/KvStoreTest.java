package pando.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.internal.v1.RangeCommand;
import pando.v1.GetResponse;
import pando.v1.IncrRequest;
import pando.v1.PutRequest;

class KvStoreTest {
  @TempDir Path dir;

  private static RangeCommand incr(String key) {
    return RangeCommand.newBuilder()
        .setIncr(IncrRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setDelta(1))
        .build();
  }

  private static RangeCommand put(int i) {
    return RangeCommand.newBuilder()
        .setPut(PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("key-" + i))
            .setValue(ByteString.copyFromUtf8("value-" + i)))
        .build();
  }

  private static long counter(KvStore store, String key) {
    GetResponse r = store.read(List.of(ByteString.copyFromUtf8(key))).getResults(0);
    return r.getFound() ? r.getValue().asReadOnlyByteBuffer().getLong() : 0;
  }

  @Test
  void restartNeitherLosesNorReappliesCommands() throws IOException {
    Path file = dir.resolve("data.db");
    try (KvStore store = KvStore.open(file)) {
      for (long index = 1; index <= 5; index++) {
        assertThat(store.apply(1, index, incr("c"))).isPresent();
      }
    }
    try (KvStore store = KvStore.open(file)) {
      assertThat(store.appliedIndex()).isEqualTo(5);
      assertThat(counter(store, "c")).isEqualTo(5);
      // The log is replayed from an older snapshot after a restart: 3..5 must be skipped.
      for (long index = 3; index <= 8; index++) {
        store.apply(1, index, incr("c"));
      }
      assertThat(counter(store, "c")).isEqualTo(8);
      assertThat(store.appliedIndex()).isEqualTo(8);
    }
    try (KvStore store = KvStore.open(file)) {
      assertThat(counter(store, "c")).isEqualTo(8);
    }
  }

  @Test
  void aSnapshotRestoredIntoAFreshStoreHasIdenticalContents() throws IOException {
    Path snapshot = dir.resolve("snapshot.db");
    List<ByteString> keys = new ArrayList<>();
    List<GetResponse> original;
    try (KvStore store = KvStore.open(dir.resolve("a/data.db"))) {
      for (int i = 1; i <= 2000; i++) {
        store.apply(2, i, put(i));
        keys.add(ByteString.copyFromUtf8("key-" + i));
      }
      keys.add(ByteString.copyFromUtf8("never-written"));
      original = store.read(keys).getResultsList();
      store.writeSnapshot(snapshot, 3, 2005);
    }
    try (KvStore restored = KvStore.restore(snapshot, dir.resolve("b/data.db"))) {
      assertThat(restored.read(keys).getResultsList()).isEqualTo(original);
      assertThat(restored.keyCount()).isEqualTo(2000);
      assertThat(restored.appliedIndex()).isEqualTo(2005);
      assertThat(restored.appliedTerm()).isEqualTo(3);
      // The restored file takes writes and keeps them across a reopen.
      restored.apply(3, 2006, put(2001));
      restored.apply(3, 2007, RangeCommand.newBuilder()
          .setDelete(pando.v1.DeleteRequest.newBuilder().setKey(ByteString.copyFromUtf8("key-1"))).build());
    }
    try (KvStore reopened = KvStore.open(dir.resolve("b/data.db"))) {
      assertThat(reopened.appliedIndex()).isEqualTo(2007);
      assertThat(reopened.keyCount()).isEqualTo(2000);
      assertThat(reopened.read(List.of(ByteString.copyFromUtf8("key-2001"))).getResults(0).getValue().toStringUtf8())
          .isEqualTo("value-2001");
      assertThat(reopened.read(List.of(ByteString.copyFromUtf8("key-1"))).getResults(0).getFound()).isFalse();
      assertThat(reopened.read(keys.subList(1, 2000)).getResultsList()).isEqualTo(original.subList(1, 2000));
    }
  }

  @Test
  void aFileWrittenBeforeKeysWereCountedIsCountedOnceWhenOpened() throws IOException {
    Path file = dir.resolve("old.db");
    // The layout of files before the count: values inside the tree's nodes, bytes counted, keys not.
    org.mapdb.DB old = org.mapdb.DBMaker.fileDB(file.toFile()).transactionEnable().make();
    var tree = old.treeMap("data", org.mapdb.Serializer.BYTE_ARRAY, org.mapdb.Serializer.BYTE_ARRAY).create();
    tree.put("a".getBytes(), "12".getBytes());
    tree.put("bb".getBytes(), "345".getBytes());
    old.atomicLong("dataBytes").create().set(1 + 2 + 2 + 3);
    old.commit();
    old.close();
    try (KvStore store = KvStore.open(file)) {
      assertThat(store.keyCount()).isEqualTo(2);
      assertThat(store.dataBytes()).isEqualTo(8);
      store.apply(1, 1, put(1));
      assertThat(store.keyCount()).isEqualTo(3);
    }
    try (KvStore store = KvStore.open(file)) {
      assertThat(store.keyCount()).isEqualTo(3);
      assertThat(store.read(List.of(ByteString.copyFromUtf8("bb"))).getResults(0).getValue().toStringUtf8())
          .isEqualTo("345");
    }
  }

  @Test
  void theKeyCountFollowsPutsOverwritesAndDeletesAndSurvivesAReopen() throws IOException {
    Path file = dir.resolve("data.db");
    try (KvStore store = KvStore.open(file)) {
      assertThat(store.keyCount()).isZero();
      for (int i = 1; i <= 300; i++) {
        store.apply(1, i, put(i));
      }
      store.apply(1, 301, put(7)); // an overwrite adds no key
      for (int i = 1; i <= 100; i++) {
        store.apply(1, 301 + i, RangeCommand.newBuilder()
            .setDelete(pando.v1.DeleteRequest.newBuilder().setKey(ByteString.copyFromUtf8("key-" + i))).build());
      }
      store.apply(1, 402, RangeCommand.newBuilder() // a delete of an absent key removes none
          .setDelete(pando.v1.DeleteRequest.newBuilder().setKey(ByteString.copyFromUtf8("key-1"))).build());
      assertThat(store.keyCount()).isEqualTo(200);
    }
    try (KvStore store = KvStore.open(file)) {
      assertThat(store.keyCount()).isEqualTo(200);
    }
  }

  @Test
  void restoreReplacesWhateverTheLiveFileHeld() throws IOException {
    Path snapshot = dir.resolve("snapshot.db");
    try (KvStore source = KvStore.open(dir.resolve("a/data.db"))) {
      source.apply(1, 1, put(1));
      source.writeSnapshot(snapshot, 1, 1);
    }
    Path live = dir.resolve("b/data.db");
    try (KvStore stale = KvStore.open(live)) {
      stale.apply(1, 1, put(99));
    }
    try (KvStore restored = KvStore.restore(snapshot, live)) {
      assertThat(restored.keyCount()).isEqualTo(1);
      assertThat(restored.read(List.of(ByteString.copyFromUtf8("key-99"))).getResults(0).getFound()).isFalse();
    }
  }
}
