package pando.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static pando.client.FakeCluster.MIDDLE;
import static pando.client.FakeCluster.addresses;
import static pando.client.FakeCluster.keyIn;
import static pando.client.FakeCluster.range;
import static pando.client.FakeCluster.table;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pando.api.HashRange;
import pando.api.range.Epoch;
import pando.api.range.RangeDescriptor;
import pando.v1.RangeEpoch;
import pando.v1.RangeTableResponse;
import pando.v1.ReadConsistency;
import pando.v1.Route;

class RoutingClientTest {
  private static final HashRange ALL = HashRange.full();
  private static final HashRange LEFT = new HashRange(0, MIDDLE);
  private static final HashRange RIGHT = new HashRange(MIDDLE, 0);
  private static final Epoch E11 = new Epoch(1, 1);
  private static final Epoch E12 = new Epoch(1, 2);
  private static final Epoch E21 = new Epoch(2, 1);

  private FakeCluster cluster;
  private final List<RoutingClient> clients = new ArrayList<>();

  @BeforeEach
  void startPd() {
    cluster = new FakeCluster();
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    clients.forEach(RoutingClient::close);
    cluster.close();
  }

  private RoutingClient client() {
    return client(Duration.ofSeconds(10));
  }

  private RoutingClient client(Duration timeout) {
    RoutingClient client = RoutingClient.connect(List.of(cluster.pdAddress), timeout, new Random(7));
    clients.add(client);
    return client;
  }

  private static Route route(long rangeId, Epoch epoch) {
    return Route.newBuilder()
        .setRangeId(rangeId)
        .setEpoch(RangeEpoch.newBuilder().setVersion(epoch.version()).setConfVersion(epoch.confVersion()))
        .build();
  }

  private static ByteString bytes(byte[] key) {
    return ByteString.copyFrom(key);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  @Test
  void routesPutAndGetStraightToTheLeaderHintWithTheRoute() {
    RangeDescriptor r1 = range(1, ALL, E11, "n2", "n1", "n2");
    FakeNode n1 = cluster.node("n1").holds(r1, false);
    FakeNode n2 = cluster.node("n2").holds(r1, true);
    cluster.pd.answers(table(List.of(r1), addresses(n1, n2)));
    RoutingClient client = client();

    client.put(utf8("k"), utf8("v"));

    assertThat(client.get(utf8("k"))).hasValueSatisfying(v -> assertThat(new String(v, UTF_8)).isEqualTo("v"));
    assertThat(n1.received()).isEmpty();
    assertThat(n2.served()).extracting(FakeNode.Received::method).containsExactly("put", "get");
    assertThat(n2.served()).extracting(FakeNode.Received::route).containsOnly(route(1, E11));
    assertThat(cluster.pd.fetches()).isEqualTo(1);
  }

  @Test
  void aStaleEpochAfterASplitIsCorrectedTransparently() {
    byte[] key = keyIn(RIGHT, "k", 0);
    FakeNode n1 = cluster.node("n1");
    // The client's first table predates the split; the node and the PD's next table know it.
    RangeDescriptor before = range(1, ALL, E11, "n1", "n1");
    RangeDescriptor left = range(1, LEFT, E21, "n1", "n1");
    RangeDescriptor right = range(2, RIGHT, E21, "n1", "n1");
    n1.holds(left, true).holds(right, true).store(key, "v");
    cluster.pd.answers(table(List.of(before), addresses(n1)), table(List.of(left, right), addresses(n1)));
    RoutingClient client = client();

    assertThat(client.get(key)).hasValueSatisfying(v -> assertThat(new String(v, UTF_8)).isEqualTo("v"));

    assertThat(n1.received()).extracting(FakeNode.Received::route, FakeNode.Received::served)
        .containsExactly(
            tuple(route(1, E11), false),
            tuple(route(2, E21), true));
    // Refetched because the key fell in the gap the narrower range 1 left.
    assertThat(cluster.pd.fetches()).isEqualTo(2);
  }

  @Test
  void aBatchWhoseKeysASplitSpreadIsRegrouped() {
    byte[] l0 = keyIn(LEFT, "k", 0);
    byte[] r0 = keyIn(RIGHT, "k", 0);
    byte[] l1 = keyIn(LEFT, "k", 1);
    byte[] r1 = keyIn(RIGHT, "k", 1);
    FakeNode n1 = cluster.node("n1");
    RangeDescriptor before = range(1, ALL, E11, "n1", "n1");
    RangeDescriptor left = range(1, LEFT, E21, "n1", "n1");
    RangeDescriptor right = range(2, RIGHT, E21, "n1", "n1");
    n1.holds(left, true).holds(right, true);
    cluster.pd.answers(table(List.of(before), addresses(n1)), table(List.of(left, right), addresses(n1)));
    Map<byte[], byte[]> batch = new LinkedHashMap<>();
    for (byte[] k : List.of(l0, r0, l1, r1)) {
      batch.put(k, k);
    }

    client().batchPut(batch);

    // The opening of the write's session met the old route first and learned the split.
    assertThat(n1.all().get(0).route()).isEqualTo(route(1, E11));
    assertThat(n1.all().get(0).served()).isFalse();
    List<FakeNode.Received> received = n1.received();
    assertThat(received).hasSize(2);
    assertThat(received).extracting(FakeNode.Received::route, FakeNode.Received::keys)
        .containsExactlyInAnyOrder(
            tuple(route(1, E21), List.of(bytes(l0), bytes(l1))),
            tuple(route(2, E21), List.of(bytes(r0), bytes(r1))));
    assertThat(n1.data).containsOnlyKeys(bytes(l0), bytes(r0), bytes(l1), bytes(r1));
  }

  @Test
  void notLeaderWithAnAddressMovesTheCallToThatNode() {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1", "n2");
    FakeNode n1 = cluster.node("n1");
    FakeNode n2 = cluster.node("n2").holds(r1, true);
    n1.holds(r1, false).notLeaderNaming("n2", n2.address());
    cluster.pd.answers(table(List.of(r1), addresses(n1, n2)));
    RoutingClient client = client();

    client.get(utf8("k"));
    client.get(utf8("k"));

    // The hint is remembered: only the first call went to n1.
    assertThat(n1.received()).hasSize(1);
    assertThat(n1.served()).isEmpty();
    assertThat(n2.served()).extracting(FakeNode.Received::method).containsExactly("get", "get");
    assertThat(cluster.pd.fetches()).isEqualTo(1);
  }

  @Test
  void twoNodesNamingEachOtherAsLeaderAreAskedAgainOnlyAfterABackoff() {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1", "n2");
    FakeNode n1 = cluster.node("n1");
    FakeNode n2 = cluster.node("n2");
    n1.holds(r1, false).notLeaderNaming("n2", n2.address());
    n2.holds(r1, false).notLeaderNaming("n1", n1.address());
    cluster.pd.answers(table(List.of(r1), addresses(n1, n2)));

    // Bouncing at once, the call would spend all its attempts in a few milliseconds; waiting
    // between bounces (20 ms, 40 ms, ... at least half of each), it is still trying when its
    // 300 ms run out.
    assertThatThrownBy(() -> client(Duration.ofMillis(300)).get(utf8("k")))
        .isInstanceOfSatisfying(PandoException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    assertThat(n1.all().size() + n2.all().size()).isLessThan(RoutedCall.MAX_ATTEMPTS);
  }

  @Test
  void notLeaderWithoutAHintRefetchesTheTable() {
    RangeDescriptor ledByN1 = range(1, ALL, E11, "n1", "n1", "n2");
    RangeDescriptor ledByN2 = ledByN1.withLeader(Optional.of("n2"));
    FakeNode n1 = cluster.node("n1").holds(ledByN1, false);
    FakeNode n2 = cluster.node("n2").holds(ledByN1, true);
    cluster.pd.answers(table(List.of(ledByN1), addresses(n1, n2)), table(List.of(ledByN2), addresses(n1, n2)));

    client().get(utf8("k"));

    assertThat(n1.received()).hasSize(1);
    assertThat(n2.served()).hasSize(1);
    assertThat(cluster.pd.fetches()).isEqualTo(2);
  }

  @Test
  void unknownRangeForgetsTheRangeAndRefetchesTheTable() {
    RangeDescriptor onN1 = range(1, ALL, E11, "n1", "n1");
    RangeDescriptor movedToN2 = range(1, ALL, E12, "n2", "n2");
    FakeNode n1 = cluster.node("n1");
    FakeNode n2 = cluster.node("n2").holds(movedToN2, true);
    cluster.pd.answers(table(List.of(onN1), addresses(n1, n2)), table(List.of(movedToN2), addresses(n1, n2)));

    client().put(utf8("k"), utf8("v"));

    assertThat(n1.served()).isEmpty();
    assertThat(n2.served()).extracting(FakeNode.Received::route).containsExactly(route(1, E12));
    assertThat(cluster.pd.fetches()).isEqualTo(2);
  }

  @Test
  void anUnreachableLeaderFailsOverToAnotherReplicaForGetAndPut() {
    RangeDescriptor r1 = range(1, ALL, E11, "dead", "dead", "n2");
    FakeNode n2 = cluster.node("n2").holds(r1, true);
    Map<String, String> nodes = addresses(n2);
    nodes.put("dead", FakeCluster.deadAddress());
    cluster.pd.answers(table(List.of(r1), nodes));
    RoutingClient client = client();

    client.put(utf8("k"), utf8("v"));

    assertThat(client.get(utf8("k"))).isPresent();
    assertThat(n2.served()).extracting(FakeNode.Received::method).containsExactly("put", "get");
  }

  @Test
  void aConnectionThatWasNeverOpenedIsRetriedEvenForIncrAndCas() {
    RangeDescriptor r1 = range(1, ALL, E11, "dead", "dead", "n2");
    FakeNode n2 = cluster.node("n2").holds(r1, true);
    Map<String, String> nodes = addresses(n2);
    nodes.put("dead", FakeCluster.deadAddress());
    cluster.pd.answers(table(List.of(r1), nodes));
    RoutingClient client = client();

    assertThat(client.incr(utf8("counter"), 5)).isEqualTo(5);
    assertThat(client.cas(utf8("k"), Optional.empty(), utf8("v")).succeeded()).isTrue();
    assertThat(n2.served()).extracting(FakeNode.Received::method).containsExactly("incr", "cas");
  }

  @Test
  void aWriteThatGotNoAnswerBeforeTheDeadlineEndsWithItsOutcomeUnknown() {
    // Range 1 is led by a node that never answers; range 2 lets the client warm up first, so the
    // short timeout is spent waiting for the silent node and not on the first connections.
    RangeDescriptor r1 = range(1, LEFT, E11, "silent", "silent", "n2");
    RangeDescriptor r2 = range(2, RIGHT, E11, "n2", "n2");
    FakeNode silent = cluster.node("silent").holds(r1, true).silentExceptSessionOpenings();
    FakeNode n2 = cluster.node("n2").holds(r1, true).holds(r2, true);
    cluster.pd.answers(table(List.of(r1, r2), addresses(silent, n2)));
    RoutingClient client = client(Duration.ofSeconds(1));
    client.put(keyIn(RIGHT, "warm", 0), utf8("up"));
    byte[] key = keyIn(LEFT, "k", 0);

    assertThatThrownBy(() -> client.incr(key, 1))
        .isInstanceOfSatisfying(PandoException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
          assertThat(e.getMessage()).contains("outcome is unknown");
        });
    assertThatThrownBy(() -> client.cas(key, Optional.empty(), utf8("v")))
        .isInstanceOfSatisfying(PandoException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
          assertThat(e.getMessage()).contains("outcome is unknown");
        });
    // n2 would have served them: the only request it saw is the warm-up.
    assertThat(n2.received()).extracting(FakeNode.Received::method).containsExactly("put");
    assertThat(silent.received().size()).isLessThanOrEqualTo(2);
  }

  @Test
  void anUnavailableAnswerIsRetriedElsewhereForReadsAndWritesAlike() {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1", "n2");
    FakeNode n1 = cluster.node("n1")
        .failingWith(() -> Status.UNAVAILABLE.withDescription("shutting down").asRuntimeException());
    FakeNode n2 = cluster.node("n2").holds(r1, true).store(utf8("k"), "v");
    cluster.pd.answers(table(List.of(r1), addresses(n1, n2)));
    RoutingClient client = client();

    assertThat(client.get(utf8("k"))).isPresent();
    assertThat(client.incr(utf8("counter"), 1)).isEqualTo(1);
    assertThat(n1.received()).extracting(FakeNode.Received::method).containsExactly("get", "incr");
    assertThat(n2.received()).extracting(FakeNode.Received::method).containsExactly("get", "incr");
  }

  @Test
  void aWriteWhoseAnswerWasLostIsSentAgainAndAppliedOnce() {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1");
    FakeNode n1 = cluster.node("n1").holds(r1, true);
    cluster.pd.answers(table(List.of(r1), addresses(n1)));
    RoutingClient client = client();
    client.put(utf8("warm"), utf8("up"));
    n1.droppingAnswers(1);

    assertThat(client.incr(utf8("counter"), 1)).isEqualTo(1);
    assertThat(client.incr(utf8("counter"), 1)).isEqualTo(2);
    assertThat(n1.served()).extracting(FakeNode.Received::method).containsExactly("put", "incr", "incr", "incr");
    assertThat(n1.applied("incr")).isEqualTo(2);
  }

  @Test
  void aSessionTheRangeForgotIsReopenedWhenNoAttemptCouldHaveApplied() {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1");
    FakeNode n1 = cluster.node("n1").holds(r1, true);
    cluster.pd.answers(table(List.of(r1), addresses(n1)));
    RoutingClient client = client();
    client.put(utf8("warm"), utf8("up"));
    n1.forgettingSessions(1);

    assertThat(client.incr(utf8("counter"), 1)).isEqualTo(1);
    assertThat(n1.sessionOpenings()).hasSize(2);
    assertThat(n1.applied("incr")).isEqualTo(1);
  }

  @Test
  void aSessionLostAfterAnUnansweredAttemptEndsWithTheOutcomeUnknown() {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1");
    FakeNode n1 = cluster.node("n1").holds(r1, true).forgettingSessionsAfterADroppedAnswer();
    cluster.pd.answers(table(List.of(r1), addresses(n1)));
    RoutingClient client = client();
    client.put(utf8("warm"), utf8("up"));
    n1.droppingAnswers(1);

    assertThatThrownBy(() -> client.incr(utf8("counter"), 1))
        .isInstanceOfSatisfying(PandoException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getMessage()).contains("outcome is unknown");
        });
    // It was applied once, by the attempt whose answer was lost, and not again.
    assertThat(n1.applied("incr")).isEqualTo(1);
  }

  @Test
  void otherErrorsAreThrownAtOnce() {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1", "n2");
    FakeNode n1 = cluster.node("n1")
        .failingWith(() -> Status.RESOURCE_EXHAUSTED.withDescription("too big").asRuntimeException());
    FakeNode n2 = cluster.node("n2").holds(r1, true);
    cluster.pd.answers(table(List.of(r1), addresses(n1, n2)));
    RoutingClient client = client();

    assertThatThrownBy(() -> client.put(utf8("k"), utf8("v")))
        .isInstanceOfSatisfying(PandoException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
          assertThat(e.getMessage()).isEqualTo("resource exhausted: too big");
        });
    n1.failingWith(() -> Status.FAILED_PRECONDITION.withDescription("no route error here").asRuntimeException());
    assertThatThrownBy(() -> client.put(utf8("k"), utf8("v")))
        .isInstanceOfSatisfying(PandoException.class,
            e -> assertThat(e.code()).isEqualTo(Status.Code.FAILED_PRECONDITION));
    // One request per call (each opening the session the write would have used).
    assertThat(n1.all()).hasSize(2);
    assertThat(n2.all()).isEmpty();
  }

  @Test
  void attemptsAreBounded() {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1");
    FakeNode n1 = cluster.node("n1");
    n1.holds(r1, false).notLeaderNaming("n1", n1.address());
    cluster.pd.answers(table(List.of(r1), addresses(n1)));

    assertThatThrownBy(() -> client().put(utf8("k"), utf8("v")))
        .isInstanceOfSatisfying(PandoException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getMessage())
              .startsWith("gave up after " + RoutedCall.MAX_ATTEMPTS
                  + " attempts: failed precondition: node n1 does not lead range 1")
              .doesNotContain("\n");
        });
    assertThat(n1.all()).hasSize(RoutedCall.MAX_ATTEMPTS);
    assertThat(n1.all()).noneMatch(FakeNode.Received::served);
  }

  @Test
  void aBulkLoadWaitsOutARangeWithoutALeaderForLongerThanARequestWould() {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1");
    FakeNode n1 = cluster.node("n1");
    n1.leadingAfter(r1, RoutedCall.MAX_ATTEMPTS + 4).notLeaderNaming("n1", n1.address());
    cluster.pd.answers(table(List.of(r1), addresses(n1)));
    RoutingClient client = client();
    List<BulkLoad.Record> records = List.of(
        new BulkLoad.Record(1, utf8("a"), utf8("1")), new BulkLoad.Record(2, utf8("b"), utf8("2")));

    BulkLoad.Result result = client.load(records.iterator(), BulkLoad.Options.defaults(), p -> { });

    assertThat(result.written()).isEqualTo(2);
    assertThat(result.rejected()).isZero();
    // One batch, refused more times than a request may try, then served once: applied once.
    assertThat(n1.all()).filteredOn(r -> r.method().equals("batchPut") && r.served()).hasSize(1);
    assertThat(n1.all().size()).isGreaterThan(RoutedCall.MAX_ATTEMPTS);
    assertThat(client.get(utf8("a"))).hasValueSatisfying(v -> assertThat(new String(v, UTF_8)).isEqualTo("1"));
  }

  @Test
  void everyReplicaUnreachableRefetchesTheTable() {
    RangeDescriptor onDead = range(1, ALL, E11, "dead", "dead");
    RangeDescriptor movedToN2 = range(1, ALL, E12, "n2", "n2");
    FakeNode n2 = cluster.node("n2").holds(movedToN2, true).store(utf8("k"), "v");
    Map<String, String> nodes = addresses(n2);
    nodes.put("dead", FakeCluster.deadAddress());
    cluster.pd.answers(table(List.of(onDead), nodes), table(List.of(movedToN2), nodes));

    assertThat(client().get(utf8("k"))).isPresent();
    assertThat(cluster.pd.fetches()).isEqualTo(2);
  }

  @Test
  void batchGetGroupsByRangeAndAnswersInTheCallersOrder() {
    byte[] l0 = keyIn(LEFT, "k", 0);
    byte[] r0 = keyIn(RIGHT, "k", 0);
    byte[] l1 = keyIn(LEFT, "k", 1);
    byte[] r1 = keyIn(RIGHT, "k", 1);
    RangeDescriptor left = range(1, LEFT, E11, "n1", "n1");
    RangeDescriptor right = range(2, RIGHT, E21, "n2", "n2");
    FakeNode n1 = cluster.node("n1").holds(left, true).store(l0, "L0").store(l1, "L1");
    FakeNode n2 = cluster.node("n2").holds(right, true).store(r0, "R0");
    cluster.pd.answers(table(List.of(left, right), addresses(n1, n2)));

    List<Optional<byte[]>> values = client().batchGet(List.of(l0, r0, l1, r1), ReadConsistency.LINEARIZABLE);

    assertThat(values).extracting(v -> v.map(b -> new String(b, UTF_8)))
        .containsExactly(Optional.of("L0"), Optional.of("R0"), Optional.of("L1"), Optional.empty());
    assertThat(n1.received()).singleElement().satisfies(r -> {
      assertThat(r.route()).isEqualTo(route(1, E11));
      assertThat(r.keys()).containsExactly(bytes(l0), bytes(l1));
    });
    assertThat(n2.received()).singleElement().satisfies(r -> {
      assertThat(r.route()).isEqualTo(route(2, E21));
      assertThat(r.keys()).containsExactly(bytes(r0), bytes(r1));
    });
  }

  @Test
  void staleReadsAreSpreadOverTheReplicas() {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1", "n2", "n3");
    FakeNode n1 = cluster.node("n1").holds(r1, true).store(utf8("k"), "v");
    FakeNode n2 = cluster.node("n2").holds(r1, false).store(utf8("k"), "v");
    FakeNode n3 = cluster.node("n3").holds(r1, false).store(utf8("k"), "v");
    cluster.pd.answers(table(List.of(r1), addresses(n1, n2, n3)));
    RoutingClient client = client();

    for (int i = 0; i < 20; i++) {
      assertThat(client.get(utf8("k"), ReadConsistency.STALE)).isPresent();
    }

    assertThat(n2.served().size() + n3.served().size()).isPositive();
    assertThat(n1.served().size() + n2.served().size() + n3.served().size()).isEqualTo(20);
  }

  @Test
  void invalidRequestsAreRejectedBeforeAnyNetworkCall() {
    RoutingClient client = client();
    byte[] tooLong = new byte[4097];
    List<byte[]> tooMany = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      tooMany.add(utf8("k" + i));
    }
    Map<byte[], byte[]> badEntry = new LinkedHashMap<>();
    badEntry.put(utf8("fine"), utf8("v"));
    badEntry.put(new byte[0], utf8("v"));

    assertInvalid(() -> client.put(new byte[0], utf8("v")), "invalid request: key must not be empty");
    assertInvalid(() -> client.get(tooLong), "invalid request: key is 4097 bytes; the limit is 4096 bytes");
    assertInvalid(() -> client.incr(new byte[0], 1), "invalid request: key must not be empty");
    assertInvalid(() -> client.batchGet(List.of(utf8("a"), new byte[0]), ReadConsistency.LINEARIZABLE),
        "invalid request: key #1: key must not be empty");
    assertInvalid(() -> client.batchGet(List.of(), ReadConsistency.STALE),
        "invalid request: batch must hold at least one key");
    assertInvalid(() -> client.batchGet(tooMany, ReadConsistency.STALE),
        "invalid request: batch holds 1001 keys; the limit is 1000 keys");
    assertInvalid(() -> client.batchPut(badEntry), "invalid request: entry #1: key must not be empty");
    assertInvalid(() -> client.get(utf8("k"), ReadConsistency.UNRECOGNIZED),
        "invalid request: unknown read consistency; use LINEARIZABLE or STALE");
    assertThat(cluster.pd.fetches()).isZero();
  }

  private static void assertInvalid(Runnable call, String message) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(PandoException.class, e -> {
      assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(e.getMessage()).isEqualTo(message);
    });
  }

  @Test
  void aClusterWithoutRangesIsUnavailable() {
    cluster.pd.answers(RangeTableResponse.newBuilder().setBootstrapped(false).build());

    assertThatThrownBy(() -> client().get(utf8("k")))
        .isInstanceOfSatisfying(PandoException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(e.getMessage()).startsWith("unavailable: the cluster has no ranges yet");
        });
  }

  @Test
  void anUnreachablePlacementDriverEndsInATimeout() {
    RoutingClient client = RoutingClient.connect(List.of(FakeCluster.deadAddress()), Duration.ofMillis(300));
    clients.add(client);

    assertThatThrownBy(() -> client.put(utf8("k"), utf8("v")))
        .isInstanceOfSatisfying(PandoException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
          assertThat(e.getMessage()).startsWith("timed out after ").contains("placement driver");
        });
  }

  @Test
  void callsThatAllMissTheCacheFetchTheTableOnce() throws Exception {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1");
    FakeNode n1 = cluster.node("n1").holds(r1, true);
    cluster.pd.answers(table(List.of(r1), addresses(n1)));
    RoutingClient client = client();
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Optional<byte[]>>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        byte[] key = utf8("k" + i);
        Callable<Optional<byte[]>> read = () -> {
          start.await();
          return client.get(key);
        };
        results.add(pool.submit(read));
      }
      start.countDown();
      for (Future<Optional<byte[]>> result : results) {
        assertThat(result.get()).isEmpty();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(cluster.pd.fetches()).isEqualTo(1);
    assertThat(n1.served()).hasSize(threads);
  }

  @Test
  void casIncrAndDeleteAnswerLikeTheNode() {
    RangeDescriptor r1 = range(1, ALL, E11, "n1", "n1");
    FakeNode n1 = cluster.node("n1").holds(r1, true);
    cluster.pd.answers(table(List.of(r1), addresses(n1)));
    RoutingClient client = client();

    assertThat(client.cas(utf8("k"), Optional.empty(), utf8("a")).succeeded()).isTrue();
    CasResult lost = client.cas(utf8("k"), Optional.of(utf8("x")), utf8("b"));
    assertThat(lost.succeeded()).isFalse();
    assertThat(lost.current()).hasValueSatisfying(v -> assertThat(new String(v, UTF_8)).isEqualTo("a"));
    assertThat(client.incr(utf8("n"), 2)).isEqualTo(2);
    assertThat(client.incr(utf8("n"), -5)).isEqualTo(-3);
    assertThat(client.delete(utf8("k"))).isTrue();
    assertThat(client.delete(utf8("k"))).isFalse();
    assertThat(n1.served()).allSatisfy(r -> assertThat(r.route()).isEqualTo(route(1, E11)));
  }
}
