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
