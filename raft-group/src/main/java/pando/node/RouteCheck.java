package pando.node;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
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
 * <p>Ranges do not split or move yet, so every range of the layout is at its first epoch (1.1).
 */
final class RouteCheck {
  private final RangeLayout layout;
  private final Function<Long, Boolean> leads;
  private final Function<Long, Optional<String>> leaderOf;

  RouteCheck(RangeLayout layout, Function<Long, Boolean> leads, Function<Long, Optional<String>> leaderOf) {
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
        error.setLeaderAddress(layout.member(id).apiAddress());
      });
      return Optional.of(RouteErrors.toStatus(error.build(), "this node does not lead range " + rangeId
          + leader.map(id -> "; its leader is " + id).orElse("; its leader is not known here")));
    }
    return Optional.empty();
  }

  private Optional<RangeDescriptor> descriptor(long rangeId) {
    return layout.ranges().stream()
        .filter(r -> r.id() == rangeId)
        .findFirst()
        .map(r -> new RangeDescriptor(r.id(), r.bounds(), Epoch.initial(), r.replicas(), Optional.empty()));
  }
}
