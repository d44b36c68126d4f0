package pando.pd;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import pando.pd.meta.ClusterView;
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

  AdminService(PdServer pd) {
    this.pd = pd;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
    pd.answerAsLeader(response, book -> ClusterView.status(pd.state(), book, PdServer.nowMillis(), pd.id(),
        pd.leaderId() == null ? "" : pd.leaderId()));
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
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> response) {
    pd.answerAsLeader(response, book -> ListNodesResponse.newBuilder()
        .addAllNodes(ClusterView.nodes(pd.state(), book, PdServer.nowMillis()))
        .build());
  }
}
