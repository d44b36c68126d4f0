package pando.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pando.api.RouteErrors;
import pando.v1.GetRequest;
import pando.v1.IncrRequest;
import pando.v1.PutRequest;
import pando.v1.RangeEpoch;
import pando.v1.ReadConsistency;
import pando.v1.Route;
import pando.v1.RouteError;

/** Requests that name the range and epoch they were routed with, as the routing client sends them. */
class RoutedRequestsTest {
  @TempDir static Path dir;
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new TestCluster(dir, 3, 4, TestCluster.fastTuning());
    cluster.awaitAllLeaders();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static ByteString b(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static Route route(long rangeId) {
    return Route.newBuilder().setRangeId(rangeId)
        .setEpoch(RangeEpoch.newBuilder().setVersion(1).setConfVersion(1)).build();
  }

  private static String keyIn(long rangeId) {
    for (int i = 0; ; i++) {
      String key = "routed-" + i;
      if (cluster.layout().rangeFor(key.getBytes()).id() == rangeId) {
        return key;
      }
    }
  }

  private static RouteError routeError(Throwable t) {
    assertThat(t).isInstanceOf(StatusRuntimeException.class);
    assertThat(Status.fromThrowable(t).getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
    return RouteErrors.from(t).orElseThrow(() -> new AssertionError("no route error in " + t));
  }

  @Test
  void theLeaderServesARequestRoutedToItsRange() {
    int leader = cluster.awaitLeader(1);
    String key = keyIn(1);
    cluster.kv(leader).put(PutRequest.newBuilder().setKey(b(key)).setValue(b("v")).setRoute(route(1)).build());
    assertThat(cluster.kv(leader).get(GetRequest.newBuilder().setKey(b(key)).setRoute(route(1)).build()).getValue())
        .isEqualTo(b("v"));
  }

  @Test
  void aFollowerAnswersNotLeaderNamingTheLeaderAndAppliesNothing() {
    int leader = cluster.awaitLeader(2);
    int follower = cluster.layout().ranges().stream().filter(r -> r.id() == 2).findFirst().orElseThrow()
        .replicas().stream().map(id -> Integer.parseInt(id.substring(1)) - 1).filter(i -> i != leader)
        .findFirst().orElseThrow();
    String key = keyIn(2);
    assertThatThrownBy(() -> cluster.kv(follower).incr(IncrRequest.newBuilder().setKey(b(key)).setDelta(5)
        .setRoute(route(2)).build()))
        .satisfies(e -> {
          RouteError error = routeError(e);
          assertThat(error.getKind()).isEqualTo(RouteError.Kind.NOT_LEADER);
          assertThat(error.getLeaderId()).isEqualTo("n" + (leader + 1));
          assertThat(error.getLeaderAddress()).isEqualTo(cluster.layout().member("n" + (leader + 1)).apiAddress());
        });
    assertThat(cluster.kv(leader).get(GetRequest.newBuilder().setKey(b(key)).build()).getFound())
        .as("the refused increment was not applied").isFalse();
    // A STALE read is served by any replica, routed or not.
    assertThat(cluster.kv(follower).get(GetRequest.newBuilder().setKey(b(key)).setRoute(route(2))
        .setConsistency(ReadConsistency.STALE).build()).getFound()).isFalse();
  }

  @Test
  void aKeyRoutedToTheWrongRangeIsRefusedWithThatRangeAndNeverApplied() {
    int leaderOf3 = cluster.awaitLeader(3);
    String keyOf4 = keyIn(4);
    assertThatThrownBy(() -> cluster.kv(leaderOf3).put(PutRequest.newBuilder().setKey(b(keyOf4)).setValue(b("x"))
        .setRoute(route(3)).build()))
        .satisfies(e -> {
          RouteError error = routeError(e);
          assertThat(error.getKind()).isEqualTo(RouteError.Kind.STALE_EPOCH);
          assertThat(error.getCurrent().getRangeId()).isEqualTo(3);
          assertThat(error.getCurrent().getReplicasList()).hasSize(3);
        });
    assertThat(cluster.kv(leaderOf3).get(GetRequest.newBuilder().setKey(b(keyOf4)).build()).getFound()).isFalse();
  }

  @Test
  void unknownRangesAndMalformedEpochsAreRefused() {
    assertThatThrownBy(() -> cluster.kv(0).get(GetRequest.newBuilder().setKey(b("k")).setRoute(route(99)).build()))
        .satisfies(e -> assertThat(routeError(e).getKind()).isEqualTo(RouteError.Kind.UNKNOWN_RANGE));
    assertThatThrownBy(() -> cluster.kv(0).get(GetRequest.newBuilder().setKey(b("k"))
        .setRoute(Route.newBuilder().setRangeId(1)).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains("invalid route");
        });
  }
}
