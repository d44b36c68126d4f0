package pando.client;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import pando.v1.GetHotKeysRequest;
import pando.v1.GetRangeTableRequest;
import pando.v1.HotKeysResponse;
import pando.v1.PlacementDriverGrpc;
import pando.v1.RangeTableResponse;

/**
 * A scripted placement-driver leader: each GetRangeTable takes the next scripted answer, and the
 * last one is repeated once the script runs out. Counts the fetches. GetHotKeys answers the table
 * set with {@link #hotKeys}, and is not implemented until one is set.
 */
final class FakePd extends PlacementDriverGrpc.PlacementDriverImplBase {
  private final Deque<RangeTableResponse> script = new ArrayDeque<>();
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile HotKeysResponse hotKeys;

  /** Replaces the script. */
  synchronized FakePd answers(RangeTableResponse... answers) {
    script.clear();
    script.addAll(List.of(answers));
    return this;
  }

  FakePd hotKeys(HotKeysResponse table) {
    hotKeys = table;
    return this;
  }

  int fetches() {
    return fetches.get();
  }

  @Override
  public void getRangeTable(GetRangeTableRequest request, StreamObserver<RangeTableResponse> out) {
    fetches.incrementAndGet();
    RangeTableResponse answer;
    synchronized (this) {
      answer = script.size() > 1 ? script.poll() : script.peek();
    }
    if (answer == null) {
      out.onError(Status.UNAVAILABLE.withDescription("no table scripted").asRuntimeException());
      return;
    }
    out.onNext(answer);
    out.onCompleted();
  }

  @Override
  public void getHotKeys(GetHotKeysRequest request, StreamObserver<HotKeysResponse> out) {
    HotKeysResponse table = hotKeys;
    if (table == null) {
      super.getHotKeys(request, out);
      return;
    }
    out.onNext(table);
    out.onCompleted();
  }
}
