package pando.node;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import pando.api.RouteErrors;
import pando.api.range.Epoch;
import pando.api.range.EpochCheck;
import pando.api.range.RangeDescriptor;
import pando.api.range.RangeProtos;
import pando.v1.Route;
import pando.v1.RouteError;

/**
 * Decides whether this node serves a request that a routing client routed itself (it names a range
 * and that range's epoch), or tells the client how to route it instead. Requests without a route
 * are forwarded by the node as before and never refused here.
 *
 * <p>The epochs checked are those of the node's layout, the placement driver's table as the node
 * last fetched it. A request routed with a newer epoch than the node knows is answered UNAVAILABLE
 * (retry): the node has not caught up with the table yet.
 */
final class RouteCheck {
  private final Supplier<RangeLayout> layout;
  private final Function<Long, Boolean> leads;
  private final Function<Long, Optional<String>> leaderOf;

  RouteCheck(Supplier<RangeLayout> layout, Function<Long, Boolean> leads, Function<Long, Optional<String>> leaderOf) {
    this.layout = layout;
    this.leads = leads;
    this.leaderOf = leaderOf;
  }

  /**
   * The error to answer with, or empty to serve the request.
   *
   * @param needsLeader false for STALE reads, which any replica may serve
   */
  Optional<StatusRuntimeException> check(boolean routed, Route route, List<ByteString> keys, boolean needsLeader) {
    if (!routed) {
      return Optional.empty();
    }
    Epoch epoch;
    try {
      epoch = RangeProtos.fromProto(route.getEpoch());
    } catch (IllegalArgumentException e) {
      return Optional.of(Status.INVALID_ARGUMENT.withDescription("invalid route: " + e.getMessage()).asRuntimeException());
    }
    long rangeId = route.getRangeId();
    Optional<RangeDescriptor> current = descriptor(rangeId);
    EpochCheck.Verdict verdict = EpochCheck.checkKeys(rangeId, epoch, current,
        keys.stream().map(ByteString::toByteArray).toList());
    if (verdict instanceof EpochCheck.StaleEpoch stale) {
      return Optional.of(RouteErrors.toStatus(RouteError.newBuilder()
              .setKind(RouteError.Kind.STALE_EPOCH)
              .setCurrent(RangeProtos.toProto(stale.current()))
              .build(),
          "stale route: range " + rangeId + " is now " + stale.current().bounds() + " at epoch "
              + stale.current().epoch() + "; refresh the range table"));
    }
    if (verdict instanceof EpochCheck.UnknownRange) {
      return Optional.of(RouteErrors.toStatus(RouteError.newBuilder().setKind(RouteError.Kind.UNKNOWN_RANGE).build(),
          "this node knows no range " + rangeId + "; refresh the range table"));
    }
    if (verdict instanceof EpochCheck.FutureEpoch future) {
      return Optional.of(Status.UNAVAILABLE.withDescription("this node knows range " + rangeId + " only at epoch "
          + future.replicaEpoch() + ", older than the request's " + epoch + "; retry").asRuntimeException());
    }
    if (needsLeader && !leads.apply(rangeId)) {
      RouteError.Builder error = RouteError.newBuilder().setKind(RouteError.Kind.NOT_LEADER);
      Optional<String> leader = leaderOf.apply(rangeId);
      leader.ifPresent(id -> {
        error.setLeaderId(id);
        layout.get().members().stream().filter(m -> m.id().equals(id)).findFirst()
            .ifPresent(m -> error.setLeaderAddress(m.apiAddress()));
      });
      return Optional.of(RouteErrors.toStatus(error.build(), "this node does not lead range " + rangeId
          + leader.map(id -> "; its leader is " + id).orElse("; its leader is not known here")));
    }
    return Optional.empty();
  }

  private Optional<RangeDescriptor> descriptor(long rangeId) {
    return layout.get().range(rangeId)
        .map(r -> new RangeDescriptor(r.id(), r.bounds(), r.epoch(), r.replicas(), Optional.empty()));
  }
}
