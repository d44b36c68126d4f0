package pando.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.testing.Await;
import pando.v1.BatchGetRequest;
import pando.v1.BatchPutRequest;
import pando.v1.CasRequest;
import pando.v1.DeleteRequest;
import pando.v1.GetRequest;
import pando.v1.GetResponse;
import pando.v1.IncrRequest;
import pando.v1.KeyValue;
import pando.v1.PutRequest;
import pando.v1.ReadConsistency;
import java.time.Duration;

/** A healthy 3-node cluster: every operation through every node, and every kind of bad input. */
class ClusterTest {
  @TempDir static Path dir;
  private static TestCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = new TestCluster(dir, 3, 8, TestCluster.fastTuning());
    cluster.awaitAllLeaders();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static GetResponse get(int node, String key) {
    return cluster.kv(node).get(GetRequest.newBuilder().setKey(b(key)).build());
  }

  @Test
  void putGetCasIncrDeleteRoundTripThroughAnyNode() {
    for (int writer = 0; writer < 3; writer++) {
      String key = "round-trip-" + writer;
      cluster.kv(writer).put(PutRequest.newBuilder().setKey(b(key)).setValue(b("v1")).build());
      for (int reader = 0; reader < 3; reader++) {
        assertThat(get(reader, key).getValue().toStringUtf8()).isEqualTo("v1");
      }
      int other = (writer + 1) % 3;
      var swapped = cluster.kv(other).cas(CasRequest.newBuilder().setKey(b(key)).setExpected(b("v1")).setNewValue(b("v2")).build());
      assertThat(swapped.getSucceeded()).isTrue();
      var stale = cluster.kv(writer).cas(CasRequest.newBuilder().setKey(b(key)).setExpected(b("v1")).setNewValue(b("v3")).build());
      assertThat(stale.getSucceeded()).isFalse();
      assertThat(stale.getCurrent().toStringUtf8()).isEqualTo("v2");
      assertThat(cluster.kv((writer + 2) % 3).delete(DeleteRequest.newBuilder().setKey(b(key)).build()).getDeleted()).isTrue();
      assertThat(get(writer, key).getFound()).isFalse();

      String counter = "counter-" + writer;
      long total = 0;
      for (int node = 0; node < 3; node++) {
        total = cluster.kv(node).incr(IncrRequest.newBuilder().setKey(b(counter)).setDelta(node + 1).build()).getValue();
      }
      assertThat(total).isEqualTo(6);
    }
  }

  @Test
  void batchesSpanRangesAndKeepRequestOrder() {
    BatchPutRequest.Builder batch = BatchPutRequest.newBuilder();
    BatchGetRequest.Builder keys = BatchGetRequest.newBuilder();
    for (int i = 0; i < 100; i++) {
      batch.addEntries(KeyValue.newBuilder().setKey(b("batch-" + i)).setValue(b("value-" + i)));
      keys.addKeys(b("batch-" + i));
    }
    keys.addKeys(b("batch-absent"));
    cluster.kv(1).batchPut(batch.build());
    List<GetResponse> results = cluster.kv(2).batchGet(keys.build()).getResultsList();
    assertThat(results).hasSize(101);
    for (int i = 0; i < 100; i++) {
      assertThat(results.get(i).getValue().toStringUtf8()).isEqualTo("value-" + i);
    }
    assertThat(results.get(100).getFound()).isFalse();
  }

  @Test
  void staleReadsFromTheLocalReplicaEventuallySeeAWrite() {
    cluster.kv(0).put(PutRequest.newBuilder().setKey(b("stale")).setValue(b("x")).build());
    for (int node = 0; node < 3; node++) {
      int n = node;
      Await.until(Duration.ofSeconds(10), "stale read on node " + n, () ->
          cluster.kv(n).get(GetRequest.newBuilder().setKey(b("stale")).setConsistency(ReadConsistency.STALE).build())
              .getValue().toStringUtf8().equals("x"));
    }
  }

  @Test
  void aOneMebibyteValueIsAccepted() {
    ByteString big = ByteString.copyFrom(new byte[1024 * 1024]);
    cluster.kv(0).put(PutRequest.newBuilder().setKey(b("big")).setValue(big).build());
    assertThat(get(1, "big").getValue().size()).isEqualTo(1024 * 1024);
  }

  @Test
  void aBatchGetWhoseAnswerWouldBeTooLargeIsRefusedWithResourceExhausted() {
    ByteString big = ByteString.copyFrom(new byte[1024 * 1024]);
    BatchGetRequest.Builder keys = BatchGetRequest.newBuilder();
    for (int i = 0; i < 5; i++) {
      cluster.kv(0).put(PutRequest.newBuilder().setKey(b("huge-" + i)).setValue(big).build());
      keys.addKeys(b("huge-" + i));
    }
    assertThatThrownBy(() -> cluster.kv(1).batchGet(keys.build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
          assertThat(e.getStatus().getDescription()).contains("ask for fewer keys");
        });
    assertThat(cluster.kv(1).batchGet(BatchGetRequest.newBuilder().addKeys(b("huge-0")).addKeys(b("huge-1")).build())
        .getResultsCount()).isEqualTo(2);
  }

  @Test
  void aReadNeverSeesHalfOfABatchWithinARange() throws Exception {
    // Two keys of the same range: a batch writing both is one command, so readers see both or neither.
    String first = "pair-0";
    long range = cluster.layout().rangeFor(first.getBytes()).id();
    String second = null;
    for (int i = 1; second == null; i++) {
      if (cluster.layout().rangeFor(("pair-" + i).getBytes()).id() == range) {
        second = "pair-" + i;
      }
    }
    String other = second;
    Thread writer = new Thread(() -> {
      for (int i = 0; i < 200; i++) {
        cluster.kv(0).batchPut(BatchPutRequest.newBuilder()
            .addEntries(KeyValue.newBuilder().setKey(b(first)).setValue(b("v" + i)))
            .addEntries(KeyValue.newBuilder().setKey(b(other)).setValue(b("v" + i)))
            .build());
      }
    });
    writer.start();
    int reads = 0;
    while (writer.isAlive() || reads < 10) {
      for (ReadConsistency consistency : ReadConsistency.values()) {
        if (consistency == ReadConsistency.UNRECOGNIZED) {
          continue;
        }
        List<GetResponse> pair = cluster.kv(reads % 3).batchGet(BatchGetRequest.newBuilder()
            .addKeys(b(first)).addKeys(b(other)).setConsistency(consistency).build()).getResultsList();
        assertThat(pair.get(0)).as("%s read #%d", consistency, reads).isEqualTo(pair.get(1));
        reads++;
      }
    }
    writer.join();
  }

  private static void assertInvalid(Runnable call, String messagePart) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains(messagePart);
        });
  }

  @Test
  void badInputIsRejectedWithInvalidArgumentAndChangesNothing() {
    cluster.kv(0).put(PutRequest.newBuilder().setKey(b("guarded")).setValue(b("original")).build());
    ByteString tooBig = ByteString.copyFrom(new byte[1024 * 1024 + 1]);
    ByteString longKey = ByteString.copyFrom(new byte[4097]);

    assertInvalid(() -> cluster.kv(0).put(PutRequest.newBuilder().setKey(ByteString.EMPTY).setValue(b("v")).build()), "key must not be empty");
    assertInvalid(() -> cluster.kv(1).put(PutRequest.newBuilder().setKey(longKey).setValue(b("v")).build()), "the limit is 4096 bytes");
    assertInvalid(() -> cluster.kv(2).get(GetRequest.newBuilder().setKey(longKey).build()), "the limit is 4096 bytes");
    assertInvalid(() -> cluster.kv(0).put(PutRequest.newBuilder().setKey(b("guarded")).setValue(tooBig).build()), "the limit is 1048576 bytes");
    assertInvalid(() -> cluster.kv(0).cas(CasRequest.newBuilder().setKey(b("guarded")).setExpected(b("original")).setNewValue(tooBig).build()), "value is");
    assertInvalid(() -> cluster.kv(0).delete(DeleteRequest.newBuilder().build()), "key must not be empty");
    assertInvalid(() -> cluster.kv(0).incr(IncrRequest.newBuilder().setDelta(1).build()), "key must not be empty");
    assertInvalid(() -> cluster.kv(0).get(GetRequest.newBuilder().setKey(b("guarded")).setConsistencyValue(7).build()), "unknown read consistency");
    assertInvalid(() -> cluster.kv(0).batchGet(BatchGetRequest.getDefaultInstance()), "at least one key");
    assertInvalid(() -> cluster.kv(0).batchPut(BatchPutRequest.newBuilder()
        .addEntries(KeyValue.newBuilder().setKey(b("batch-guarded")).setValue(b("v")))
        .addEntries(KeyValue.newBuilder().setKey(ByteString.EMPTY).setValue(b("v")))
        .build()), "entry #1: key must not be empty");
    BatchGetRequest.Builder tooMany = BatchGetRequest.newBuilder();
    for (int i = 0; i < 1001; i++) {
      tooMany.addKeys(b("k" + i));
    }
    assertInvalid(() -> cluster.kv(0).batchGet(tooMany.build()), "the limit is 1000 keys");

    assertThat(get(1, "guarded").getValue().toStringUtf8()).isEqualTo("original");
    assertThat(get(1, "batch-guarded").getFound()).isFalse();
  }

  @Test
  void aBodyThatIsNotProtobufIsInvalidArgumentForEveryMethodAndChangesNothing() {
    // A field tag with the wire type 7, which no protobuf message can hold.
    byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
    MethodDescriptor.Marshaller<byte[]> bytes = new MethodDescriptor.Marshaller<>() {
      @Override
      public java.io.InputStream stream(byte[] value) {
        return new java.io.ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(java.io.InputStream stream) {
        try {
          return stream.readAllBytes();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
    long keysBefore = keysOnLeaders();
    List<String> methods = new ArrayList<>();
    for (MethodDescriptor<?, ?> method : pando.v1.KVGrpc.getServiceDescriptor().getMethods().stream()
        .map(m -> (MethodDescriptor<?, ?>) m).toList()) {
      methods.add(method.getBareMethodName());
      MethodDescriptor<byte[], byte[]> raw = method.toBuilder(bytes, bytes).build();
      assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(cluster.channel(1), raw,
          io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS), garbage))
          .as(method.getFullMethodName())
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.getStatus().getDescription()).contains("is not a valid pando.v1.").contains("nothing was done");
          });
    }
    assertThat(methods).contains("Put", "Get", "Delete", "Cas", "Incr", "BatchPut", "BatchGet");
    assertThat(keysOnLeaders()).isEqualTo(keysBefore);
    // The node still serves well-formed requests on the same connection.
    cluster.kv(1).put(PutRequest.newBuilder().setKey(b("after-garbage")).setValue(b("v")).build());
    assertThat(get(1, "after-garbage").getValue().toStringUtf8()).isEqualTo("v");
  }

  /** Keys of every range, as its leader (which applied every acknowledged write) holds them. */
  private static long keysOnLeaders() {
    long keys = 0;
    for (var range : cluster.layout().ranges()) {
      keys += cluster.node(cluster.awaitLeader(range.id())).replicaStatus(range.id()).orElseThrow().keys();
    }
    return keys;
  }

  @Test
  void aSaltedCopyIsNeverWrittenByUsersAndNotServedWhileItsKeyIsNotSalted() {
    ByteString copy = pando.api.hot.SaltedKeys.salted(b("reserved-test"), 0, 2);

    assertInvalid(() -> cluster.kv(0).put(PutRequest.newBuilder().setKey(copy).setValue(b("v")).build()), "reserves");
    assertInvalid(() -> cluster.kv(1).delete(DeleteRequest.newBuilder().setKey(copy).build()), "reserves");
    assertInvalid(() -> cluster.kv(2).cas(CasRequest.newBuilder().setKey(copy).setNewValue(b("v")).build()), "reserves");
    assertInvalid(() -> cluster.kv(0).batchPut(BatchPutRequest.newBuilder()
        .addEntries(KeyValue.newBuilder().setKey(copy).setValue(b("v"))).build()), "entry #0: key starts with");

    // A reserved key that is no copy at all is never a counter either.
    ByteString bareReserved = ByteString.copyFrom(new byte[] {0x00, 0x70, 0x6e, 0x64, 0x41});
    assertInvalid(() -> cluster.kv(1).incr(IncrRequest.newBuilder().setKey(bareReserved).setDelta(1).build()),
        "not a salted copy");
    assertThat(cluster.kv(2).get(GetRequest.newBuilder().setKey(bareReserved).build()).getFound()).isFalse();

    // Reads and increments of copies are how clients use a salted key, and only while it is salted.
    for (Runnable call : List.<Runnable>of(
        () -> cluster.kv(1).incr(IncrRequest.newBuilder().setKey(copy).setDelta(3).build()),
        () -> cluster.kv(2).get(GetRequest.newBuilder().setKey(copy).build()))) {
      assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(e.getStatus().getDescription()).contains("salted copy not in use");
      });
    }
  }

  @Test
  void incrOnANonCounterFailsThePreconditionAndChangesNothing() {
    cluster.kv(0).put(PutRequest.newBuilder().setKey(b("text")).setValue(b("hello")).build());
    assertThatThrownBy(() -> cluster.kv(1).incr(IncrRequest.newBuilder().setKey(b("text")).setDelta(1).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).contains("not an 8-byte counter");
        });
    assertThat(get(2, "text").getValue().toStringUtf8()).isEqualTo("hello");
  }

  @Test
  void everyKeyIsServedByExactlyTheRangeItHashesTo() {
    List<Long> owners = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      owners.add(cluster.layout().rangeFor(("spread-" + i).getBytes()).id());
    }
    // 200 keys over 8 equal ranges: every range gets some.
    assertThat(owners.stream().distinct().count()).isEqualTo(8);
  }
}
