package pando.pd;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdResult;
import pando.internal.v1.RegisterNodeCommand;
import pando.pd.meta.ClusterView;
import pando.pd.meta.HeartbeatBook;
import pando.pd.hot.HotKeyProtos;
import pando.v1.GetHotKeysRequest;
import pando.v1.GetRangeTableRequest;
import pando.v1.HotKeysResponse;
import pando.v1.RangeTableResponse;
import pando.v1.HeartbeatRequest;
import pando.v1.HeartbeatResponse;
import pando.v1.PlacementDriverGrpc;
import pando.v1.RegisterNodeRequest;
import pando.v1.RegisterNodeResponse;

/**
 * What nodes and routing clients call: registration (through the PD's log), heartbeats (into the
 * leader's memory), and the range and hot-key tables.
 */
final class PlacementDriverService extends PlacementDriverGrpc.PlacementDriverImplBase {
  private final PdServer pd;

  PlacementDriverService(PdServer pd) {
    this.pd = pd;
  }

  @Override
  public void registerNode(RegisterNodeRequest request, StreamObserver<RegisterNodeResponse> response) {
    PdCommand command = PdCommand.newBuilder().setRegisterNode(RegisterNodeCommand.newBuilder()
        .setRequestedId(request.getRequestedId())
        .setApiAddress(request.getApiAddress())
        .setRaftAddress(request.getRaftAddress())
        .setCapacityBytes(request.getCapacityBytes())
        .setNowMs(System.currentTimeMillis()))
        .build();
    pd.submit(command).whenComplete((result, error) -> {
      if (error != null) {
        response.onError(asStatus(error));
        return;
      }
      if (result.getStatus() != PdResult.Status.OK) {
        Status status = result.getStatus() == PdResult.Status.ALREADY_EXISTS
            ? Status.ALREADY_EXISTS : Status.INVALID_ARGUMENT;
        response.onError(status.withDescription(result.getMessage()).asRuntimeException());
        return;
      }
      HeartbeatBook book = pd.book();
      if (book != null) {
        book.registered(result.getNodeId(), PdServer.nowMillis());
      }
      pd.maybeBootstrap();
      response.onNext(RegisterNodeResponse.newBuilder()
          .setNodeId(result.getNodeId())
          .setHeartbeatIntervalMs(pd.config().liveness().heartbeatInterval().toMillis())
          .build());
      response.onCompleted();
    });
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
    try {
      HeartbeatBook book = pd.bookOrRefuse();
      if (pd.registry().node(request.getNodeId()).isEmpty()) {
        // Also a removed node: it must not come back under its old id.
        throw Status.NOT_FOUND.withDescription("node '" + request.getNodeId()
            + "' is not registered with the placement driver; register it first").asRuntimeException();
      }
      book.record(request, PdServer.nowMillis());
      pd.splitter().learn(request);
      pd.maybeBootstrap();
      var state = pd.state();
      response.onNext(HeartbeatResponse.newBuilder()
          .setTableVersion(state.tableVersion())
          .setHotKeyTableVersion(state.hotKeyTable().version())
          .build());
      response.onCompleted();
    } catch (StatusRuntimeException e) {
      response.onError(e);
    }
  }

  @Override
  public void getRangeTable(GetRangeTableRequest request, StreamObserver<RangeTableResponse> response) {
    pd.answerAsLeader(response, book -> ClusterView.rangeTable(pd.state(), book));
  }

  @Override
  public void getHotKeys(GetHotKeysRequest request, StreamObserver<HotKeysResponse> response) {
    pd.answerAsLeader(response, book -> {
      // The version and the entries from one immutable registry, so they always match.
      var registry = pd.state().hotKeys();
      return HotKeysResponse.newBuilder()
          .setVersion(registry.table().version())
          .addAllEntries(registry.sorted().stream().map(HotKeyProtos::toPublic).toList())
          .build();
    });
  }

  /** A failed Raft call as the status a caller can act on. */
  static StatusRuntimeException asStatus(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof StatusRuntimeException s) {
      return s;
    }
    if (t instanceof TimeoutException) {
      return Status.UNAVAILABLE.withDescription(
          "the placement driver did not answer in time (no PD leader?); retry").asRuntimeException();
    }
    return Status.UNAVAILABLE.withDescription("the placement driver failed: " + t).asRuntimeException();
  }
}
