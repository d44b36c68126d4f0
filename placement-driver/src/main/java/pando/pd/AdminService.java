package pando.pd;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import pando.api.hot.HotKey;
import pando.api.hot.HotKeyTable;
import pando.pd.hot.HotKeyListing;
import pando.pd.hot.HotKeyProtos;
import pando.pd.hot.HotKeyRates;
import pando.pd.hot.HotKeyRequests;
import pando.v1.AddHotKeyRequest;
import pando.v1.AddHotKeyResponse;
import pando.v1.ListHotKeysRequest;
import pando.v1.ListHotKeysResponse;
import pando.v1.RemoveHotKeyRequest;
import pando.v1.RemoveHotKeyResponse;
import pando.internal.v1.AddOperatorCommand;
import pando.internal.v1.MoveOperator;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdResult;
import pando.pd.meta.ClusterView;
import pando.internal.v1.RemoveNodeCommand;
import pando.internal.v1.SetDrainingCommand;
import pando.pd.meta.HeartbeatBook;
import pando.v1.SplitRangeAdminRequest;
import pando.v1.SplitRangeAdminResponse;
import pando.v1.DrainRequest;
import pando.v1.DrainResponse;
import pando.v1.RemoveNodeRequest;
import pando.v1.RemoveNodeResponse;
import pando.v1.ListOperatorsRequest;
import pando.v1.ListOperatorsResponse;
import pando.v1.MoveReplicaRequest;
import pando.v1.OperatorInfo;
import pando.v1.TransferLeaderRequest;
import pando.v1.TransferLeaderResponse;
import pando.v1.AdminGrpc;
import pando.v1.GetRangeRequest;
import pando.v1.ListRangesRequest;
import pando.v1.ListRangesResponse;
import pando.v1.ListNodesRequest;
import pando.v1.ListNodesResponse;
import pando.v1.RangeInfo;
import pando.v1.StatusRequest;
import pando.v1.StatusResponse;

/** What operators call (`pando admin`); answered by the PD leader, which holds the heartbeats. */
final class AdminService extends AdminGrpc.AdminImplBase {
  private final PdServer pd;
  private final HotKeyRates hotKeyRates;

  /** Without load reports of hot keys: ListHotKeys shows the table alone. */
  AdminService(PdServer pd) {
    this(pd, HotKeyRates.none());
  }

  AdminService(PdServer pd, HotKeyRates hotKeyRates) {
    this.pd = pd;
    this.hotKeyRates = java.util.Objects.requireNonNull(hotKeyRates, "hotKeyRates");
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
    pd.answerAsLeader(response, book -> ClusterView.status(pd.state(), book, PdServer.nowMillis(), pd.id(),
            pd.leaderId() == null ? "" : pd.leaderId()).toBuilder()
        .setUnderReplicated(ClusterView.underReplicated(pd.state(), book, PdServer.nowMillis(),
            pd.config().bootstrap().replication()))
        .setOperators(pd.state().operators().size())
        .build());
  }

  @Override
  public void listRanges(ListRangesRequest request, StreamObserver<ListRangesResponse> response) {
    pd.answerAsLeader(response, book -> ClusterView.ranges(pd.state(), book, PdServer.nowMillis()));
  }

  @Override
  public void getRange(GetRangeRequest request, StreamObserver<RangeInfo> response) {
    pd.answerAsLeader(response, book -> ClusterView.range(pd.state(), book, PdServer.nowMillis(), request.getRangeId())
        .orElseThrow(() -> Status.NOT_FOUND.withDescription("no range " + request.getRangeId()
            + (pd.state().bootstrapped() ? "; 'pando admin ranges' lists them" : "; the cluster has no ranges yet"))
            .asRuntimeException()));
  }

  @Override
  public void moveReplica(MoveReplicaRequest request, StreamObserver<OperatorInfo> response) {
    try {
      pd.bookOrRefuse();
    } catch (io.grpc.StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    MoveOperator move = MoveOperator.newBuilder()
        .setRangeId(request.getRangeId())
        .setFromNode(request.getFromNode())
        .setToNode(request.getToNode())
        .setReason("manual")
        .setCreatedAtMs(System.currentTimeMillis())
        .build();
    pd.submit(PdCommand.newBuilder().setAddOperator(AddOperatorCommand.newBuilder().setMove(move)).build())
        .whenComplete((result, error) -> {
          if (error != null) {
            response.onError(PlacementDriverService.asStatus(error));
          } else if (result.getStatus() != PdResult.Status.OK) {
            Status status = result.getMessage().contains("in progress")
                ? Status.FAILED_PRECONDITION : Status.INVALID_ARGUMENT;
            response.onError(status.withDescription(result.getMessage()).asRuntimeException());
          } else {
            response.onNext(operatorInfo(move.toBuilder().setOperatorId(result.getOperatorId()).build()));
            response.onCompleted();
          }
        });
  }

  @Override
  public void transferLeader(TransferLeaderRequest request, StreamObserver<TransferLeaderResponse> response) {
    var range = pd.state().ranges().flatMap(t -> t.byId(request.getRangeId()));
    if (range.isEmpty()) {
      response.onError(Status.NOT_FOUND.withDescription("no range " + request.getRangeId()).asRuntimeException());
      return;
    }
    if (!range.get().replicas().contains(request.getToNode())) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("range " + request.getRangeId()
          + " has no replica on '" + request.getToNode() + "' (its replicas are " + range.get().replicas() + ")")
          .asRuntimeException());
      return;
    }
    pd.moves().transferLeaderNow(request.getRangeId(), request.getToNode()).whenComplete((ignored, error) -> {
      if (error != null) {
        response.onError(nodeFailed("the leader transfer of range " + request.getRangeId() + " to "
            + request.getToNode(), error));
      } else {
        response.onNext(TransferLeaderResponse.newBuilder().setLeader(request.getToNode()).build());
        response.onCompleted();
      }
    });
  }

  @Override
  public void listOperators(ListOperatorsRequest request, StreamObserver<ListOperatorsResponse> response) {
    pd.answerAsLeader(response, book -> ListOperatorsResponse.newBuilder()
        .addAllOperators(pd.state().operators().stream().map(this::operatorInfo).toList())
        .build());
  }

  private OperatorInfo operatorInfo(MoveOperator op) {
    return OperatorInfo.newBuilder()
        .setOperatorId(op.getOperatorId())
        .setRangeId(op.getRangeId())
        .setKind("move")
        .setFromNode(op.getFromNode())
        .setToNode(op.getToNode())
        .setReason(op.getReason())
        .setStep(pd.moves().step(op.getOperatorId()))
        .setAgeMs(Math.max(0, System.currentTimeMillis() - op.getCreatedAtMs()))
        .build();
  }

  @Override
  public void splitRange(SplitRangeAdminRequest request, StreamObserver<SplitRangeAdminResponse> response) {
    HeartbeatBook book;
    try {
      book = pd.bookOrRefuse();
    } catch (io.grpc.StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    if (pd.state().ranges().flatMap(t -> t.byId(request.getRangeId())).isEmpty()) {
      response.onError(Status.NOT_FOUND.withDescription("no range " + request.getRangeId()).asRuntimeException());
      return;
    }
    if (pd.state().operators().stream().anyMatch(op -> op.getRangeId() == request.getRangeId())) {
      response.onError(Status.FAILED_PRECONDITION.withDescription("range " + request.getRangeId()
          + " has a move running; split it once the move is done").asRuntimeException());
      return;
    }
    java.util.OptionalLong at = request.hasSplitHash()
        ? java.util.OptionalLong.of(request.getSplitHash()) : java.util.OptionalLong.empty();
    pd.splitter().split(request.getRangeId(), at, OperatorCounts.SplitReason.ADMIN, book)
        .whenComplete((answer, error) -> {
          if (error != null) {
            response.onError(splitError(error));
            return;
          }
          var table = pd.state().ranges().orElseThrow();
          var left = table.byId(request.getRangeId()).orElseThrow();
          var right = table.locate(answer.getSplitHash());
          response.onNext(SplitRangeAdminResponse.newBuilder()
              .setLeft(pando.api.range.RangeProtos.toProto(left))
              .setRight(pando.api.range.RangeProtos.toProto(right))
              .build());
          response.onCompleted();
        });
  }

  /**
   * A range's refusal (too few keys, a point outside it) and a split already running are the
   * caller's to act on (FAILED_PRECONDITION); anything else is answered by {@link #nodeFailed}.
   */
  private static io.grpc.StatusRuntimeException splitError(Throwable error) {
    Throwable t = error;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof io.grpc.StatusRuntimeException s && s.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
      return s;
    }
    return nodeFailed("the split", error);
  }

  /**
   * The answer for an Admin call whose step on a node failed. The placement driver did answer, so
   * the code is never UNAVAILABLE (which would send a client on to the next PD replica and have it
   * report that none answered): ABORTED for a node that could not be reached or timed out (retry
   * once it is up), FAILED_PRECONDITION for a node's refusal or a PD-side reason.
   */
  static io.grpc.StatusRuntimeException nodeFailed(String what, Throwable error) {
    Throwable t = error;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof io.grpc.StatusRuntimeException s) {
      Status.Code code = s.getStatus().getCode();
      String why = s.getStatus().getDescription();
      if ((why == null || why.equals("io exception")) && s.getCause() != null) {
        why = rootMessage(s.getCause());
      }
      boolean retryable = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED
          || code == Status.Code.RESOURCE_EXHAUSTED || code == Status.Code.ABORTED;
      return (retryable ? Status.ABORTED : Status.FAILED_PRECONDITION)
          .withDescription(what + " did not complete: a node answered " + code + " (" + why + ")"
              + (retryable ? "; check 'pando admin nodes' and retry" : ""))
          .asRuntimeException();
    }
    if (t instanceof java.util.concurrent.RejectedExecutionException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(what + " was not started: the placement driver has too many"
          + " node calls queued; retry shortly").asRuntimeException();
    }
    return Status.FAILED_PRECONDITION.withDescription(what + " did not complete: " + t.getMessage()).asRuntimeException();
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage());
  }

  @Override
  public void drain(DrainRequest request, StreamObserver<DrainResponse> response) {
    commit(PdCommand.newBuilder().setSetDraining(SetDrainingCommand.newBuilder()
            .setNodeId(request.getNodeId()).setDraining(!request.getUndo())).build(),
        () -> DrainResponse.newBuilder().setReplicas(pd.state().rangesOn(request.getNodeId()).size()).build(),
        response);
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<RemoveNodeResponse> response) {
    commit(PdCommand.newBuilder().setRemoveNode(RemoveNodeCommand.newBuilder().setNodeId(request.getNodeId())).build(),
        RemoveNodeResponse::getDefaultInstance, response);
  }

  /** Commits an Admin change on the leader; a refusal is NOT_FOUND for an unknown node, else FAILED_PRECONDITION. */
  private <T> void commit(PdCommand command, java.util.function.Supplier<T> answer, StreamObserver<T> response) {
    try {
      pd.bookOrRefuse();
    } catch (io.grpc.StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    pd.submit(command).whenComplete((result, error) -> {
      if (error != null) {
        response.onError(PlacementDriverService.asStatus(error));
      } else if (result.getStatus() != PdResult.Status.OK) {
        Status status = result.getMessage().startsWith("no registered node") ? Status.NOT_FOUND : Status.FAILED_PRECONDITION;
        response.onError(status.withDescription(result.getMessage()).asRuntimeException());
      } else {
        response.onNext(answer.get());
        response.onCompleted();
      }
    });
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> response) {
    pd.answerAsLeader(response, book -> ListNodesResponse.newBuilder()
        .addAllNodes(ClusterView.nodes(pd.state(), book, PdServer.nowMillis()))
        .build());
  }

  @Override
  public void listHotKeys(ListHotKeysRequest request, StreamObserver<ListHotKeysResponse> response) {
    // Entry change times are wall-clock milliseconds recorded by whichever replica led then.
    pd.answerAsLeader(response, book ->
        HotKeyListing.list(pd.state().hotKeys(), hotKeyRates.current(), System.currentTimeMillis()));
  }

  @Override
  public void getKeyHeatmap(pando.v1.GetKeyHeatmapRequest request,
      StreamObserver<pando.v1.KeyHeatmapResponse> response) {
    pd.answerAsLeader(response, book -> heatmap(pd.heatmap()));
  }

  static pando.v1.KeyHeatmapResponse heatmap(pando.pd.hot.KeyHeatmap heatmap) {
    pando.v1.KeyHeatmapResponse.Builder answer = pando.v1.KeyHeatmapResponse.newBuilder()
        .setBuckets(heatmap.buckets())
        .setSampleEveryMs(heatmap.sampleEveryMs());
    for (pando.pd.hot.KeyHeatmap.Sample sample : heatmap.samples()) {
      pando.v1.HeatmapSample.Builder proto = answer.addSamplesBuilder().setAtMs(sample.atMs());
      for (int b = 0; b < sample.readsPerSec().length; b++) {
        proto.addReadsPerSecond(sample.readsPerSec()[b]).addWritesPerSecond(sample.writesPerSec()[b]);
      }
      for (long start : sample.rangeStarts()) {
        proto.addRangeStarts(start);
      }
    }
    return answer.build();
  }

  @Override
  public void addHotKey(AddHotKeyRequest request, StreamObserver<AddHotKeyResponse> response) {
    Optional<HotKey.Mode> mode = HotKeyProtos.fromPublic(request.getMode());
    if (mode.isEmpty()) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(
          "mode must be READ_HOT or WRITE_HOT_COUNTER, got " + (request.getMode() == pando.v1.HotKey.Mode.UNRECOGNIZED
              ? "the unknown value " + request.getModeValue() : request.getMode())).asRuntimeException());
      return;
    }
    changeHotKey(table -> HotKeyRequests.pin(table, request.getKey(), mode.get(), request.getSalts()),
        (hot, version) -> AddHotKeyResponse.newBuilder()
            .setHotKey(HotKeyProtos.toPublic(hot)).setTableVersion(version).build(),
        response);
  }

  @Override
  public void removeHotKey(RemoveHotKeyRequest request, StreamObserver<RemoveHotKeyResponse> response) {
    changeHotKey(table -> HotKeyRequests.unsalt(table, request.getKey()),
        (hot, version) -> RemoveHotKeyResponse.newBuilder()
            .setHotKey(HotKeyProtos.toPublic(hot)).setTableVersion(version).build(),
        response);
  }

  /**
   * Carries out an operator's hot-key request on the leader: decides it from the current table,
   * commits the change guarded by the entry it was decided from, and answers with the key's entry
   * and the table's version. If the entry changed between the decision and the commit (an operator
   * step, the detector), the guard refuses the change and the caller is told to run it again
   * (ABORTED), rather than the request undoing the other change.
   */
  private <T> void changeHotKey(Function<HotKeyTable, HotKeyRequests.Decision> decide,
      BiFunction<HotKey, Long, T> answer, StreamObserver<T> response) {
    try {
      pd.bookOrRefuse();
    } catch (io.grpc.StatusRuntimeException e) {
      response.onError(e);
      return;
    }
    HotKeyTable table = pd.state().hotKeyTable();
    HotKeyRequests.Decision decision = decide.apply(table);
    if (decision instanceof HotKeyRequests.Decision.Refused refused) {
      response.onError(Status.fromCode(refused.code()).withDescription(refused.message()).asRuntimeException());
      return;
    }
    if (decision instanceof HotKeyRequests.Decision.Unchanged unchanged) {
      response.onNext(answer.apply(unchanged.current(), table.version()));
      response.onCompleted();
      return;
    }
    HotKeyRequests.Decision.Change change = (HotKeyRequests.Decision.Change) decision;
    PdCommand set = HotKeyProtos.setHotKey(change.next(), change.expected(), System.currentTimeMillis());
    pd.submit(set).whenComplete((result, error) -> {
      if (error != null) {
        response.onError(PlacementDriverService.asStatus(error));
        return;
      }
      Status status = switch (result.getStatus()) {
        case OK -> Status.OK;
        case CONFLICT -> Status.ABORTED.withDescription(result.getMessage()
            + " (it changed while this request was committed); run the request again");
        case TABLE_FULL -> Status.FAILED_PRECONDITION.withDescription(result.getMessage());
        // The decision checked the entry already: the log refusing it is a bug here.
        case INVALID, ALREADY_EXISTS, UNRECOGNIZED -> Status.INTERNAL.withDescription(
            "the placement driver refused its own hot-key change: " + result.getMessage());
      };
      if (!status.isOk()) {
        response.onError(status.asRuntimeException());
        return;
      }
      response.onNext(answer.apply(change.next(), result.getHotKeyTableVersion()));
      response.onCompleted();
    });
  }
}
