package pando.pd;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import pando.api.hot.HotKey;
import pando.api.hot.HotKeyTable;
import pando.internal.v1.DropHotKeyCommand;
import pando.internal.v1.NodeRecord;
import pando.internal.v1.PdCommand;
import pando.internal.v1.PdResult;
import pando.pd.hot.HotKeyProtos;
import pando.pd.meta.HeartbeatBook;
import pando.pd.meta.PdState;
import pando.v1.HotKeyStepRequest;
import pando.v1.NodeState;

/**
 * On the PD leader: carries the entries of the hot-key table through their states. Each round, if
 * every node has settled on the table's current version (see the node's {@code HotKeyView}), it
 * takes the next step of each entry:
 *
 * <ul>
 *   <li>read-hot SALTING: a node fills the copies from the key, then the entry becomes ACTIVE;
 *   <li>counter SALTING: the entry becomes ACTIVE (its copies start empty);
 *   <li>read-hot ACTIVE: every {@link #REFILL_EVERY} the copies are filled again, which repairs a
 *       write whose node gave up half way through its copies;
 *   <li>read-hot UNSALTING: a node deletes the copies, then the entry leaves the table (nodes copy
 *       writes until then, so a write racing the deletion may leave a copy behind, never read);
 *   <li>counter UNSALTING: a node folds the copies into the plain key and deletes them, then the
 *       entry leaves the table.
 * </ul>
 *
 * <p>Why wait for every node: nodes copy writes and check reads of copies by their own table. A
 * node that has not settled may still be running a write that started before it knew the key was
 * being salted (and so skips the copies), or a read of a copy that is being deleted. A node that is
 * down therefore holds salting up until it comes back or is removed; the log says which node.
 *
 * <p>Every step may be repeated, and each state change is a compare-and-set on the entry, so a
 * step cut short by a PD leader change is simply taken again by the next leader.
 */
final class HotKeyOperator {
  private static final Logger LOG = LoggerFactory.getLogger(HotKeyOperator.class);
  static final Duration REFILL_EVERY = Duration.ofSeconds(60);
  private static final Duration STEP_DEADLINE = Duration.ofSeconds(60);

  private final PdServer pd;
  private final NodeCalls nodes;
  private final Set<ByteString> running = ConcurrentHashMap.newKeySet();
  private final Map<ByteString, Long> filledAtMs = new ConcurrentHashMap<>();
  private String waitingFor;

  HotKeyOperator(PdServer pd, NodeCalls nodes) {
    this.pd = pd;
    this.nodes = nodes;
  }

  void round(HeartbeatBook book, long nowMs) {
    PdState state = pd.state();
    HotKeyTable table = state.hotKeys().table();
    filledAtMs.keySet().retainAll(table.entries().keySet());
    if (table.size() == 0 || state.ranges().isEmpty()) {
      return;
    }
    Optional<String> behind = nodeBehind(state, book, table.version());
    if (behind.isPresent()) {
      if (!behind.get().equals(waitingFor)) {
        LOG.info("pd={} event=hot-keys-waiting node={} table-version={}", pd.id(), behind.get(), table.version());
        waitingFor = behind.get();
      }
      return;
    }
    waitingFor = null;
    Optional<String> via = someUpNode(state, book, nowMs);
    if (via.isEmpty()) {
      return;
    }
    for (HotKey hot : table.entries().values()) {
      if (running.add(hot.key())) {
        CompletableFuture<Void> step;
        try {
          step = step(state, via.get(), hot, nowMs);
        } catch (RuntimeException e) {
          step = CompletableFuture.failedFuture(e);
        }
        step.whenComplete((ignored, error) -> {
          running.remove(hot.key());
          if (error != null) {
            pd.operatorCounts().count(hot.state() == HotKey.State.UNSALTING ? OperatorCounts.Kind.UNSALT
                : OperatorCounts.Kind.SALT, OperatorCounts.Outcome.FAILED);
            LOG.info("pd={} event=hot-key-step-failed key={} state={} error=\"{}\"", pd.id(),
                pando.pd.hot.KeyText.of(hot.key()), hot.state(), error.toString());
          }
        });
      }
    }
  }

  private CompletableFuture<Void> step(PdState state, String via, HotKey hot, long nowMs) {
    boolean readHot = hot.mode() == HotKey.Mode.READ_HOT;
    return switch (hot.state()) {
      case SALTING -> (readHot ? ask(state, via, hot, HotKeyStepRequest.Step.FILL_COPIES) : done())
          .thenCompose(ignored -> {
            filledAtMs.put(hot.key(), nowMs);
            return set(hot, hot.withState(HotKey.State.ACTIVE))
                .thenRun(() -> pd.operatorCounts().count(OperatorCounts.Kind.SALT, OperatorCounts.Outcome.DONE));
          });
      case ACTIVE -> {
        Long filled = filledAtMs.putIfAbsent(hot.key(), nowMs);
        if (!readHot || filled == null || nowMs - filled < REFILL_EVERY.toMillis()) {
          yield done();
        }
        filledAtMs.put(hot.key(), nowMs);
        yield ask(state, via, hot, HotKeyStepRequest.Step.FILL_COPIES);
      }
      case UNSALTING -> ask(state, via, hot,
              readHot ? HotKeyStepRequest.Step.DELETE_COPIES : HotKeyStepRequest.Step.FOLD_COUNTER)
          .thenCompose(ignored -> drop(hot))
          .thenRun(() -> pd.operatorCounts().count(OperatorCounts.Kind.UNSALT, OperatorCounts.Outcome.DONE));
    };
  }

  private static CompletableFuture<Void> done() {
    return CompletableFuture.completedFuture(null);
  }

  private CompletableFuture<Void> ask(PdState state, String via, HotKey hot, HotKeyStepRequest.Step step) {
    LOG.info("pd={} event=hot-key-step key={} step={} via={}", pd.id(), pando.pd.hot.KeyText.of(hot.key()), step, via);
    return nodes.ask(state, via, stub -> stub.withDeadlineAfter(STEP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .hotKeyStep(HotKeyStepRequest.newBuilder().setHotKey(HotKeyProtos.toPublic(hot)).setStep(step).build()))
        .thenApply(ignored -> null);
  }

  private CompletableFuture<Void> set(HotKey from, HotKey to) {
    LOG.info("pd={} event=hot-key-state key={} from={} to={}", pd.id(), pando.pd.hot.KeyText.of(to.key()),
        from.state(), to.state());
    return pd.submit(HotKeyProtos.setHotKey(to, Optional.of(from), System.currentTimeMillis()))
        .thenAccept(HotKeyOperator::requireOk);
  }

  private CompletableFuture<Void> drop(HotKey hot) {
    LOG.info("pd={} event=hot-key-unsalted key={}", pd.id(), pando.pd.hot.KeyText.of(hot.key()));
    return pd.submit(PdCommand.newBuilder().setDropHotKey(DropHotKeyCommand.newBuilder()
            .setKey(hot.key())
            .setExpected(HotKeyProtos.toEntry(hot, 0)))
            .build())
        .thenAccept(HotKeyOperator::requireOk);
  }

  private static void requireOk(PdResult result) {
    if (result.getStatus() != PdResult.Status.OK) {
      throw new IllegalStateException(result.getMessage());
    }
  }

  /** A node that has not settled on {@code version} yet, if any; removed nodes do not count. */
  private static Optional<String> nodeBehind(PdState state, HeartbeatBook book, long version) {
    for (NodeRecord node : state.nodes().nodes()) {
      if (!node.getRemoved() && book.hotKeyTableSettled(node.getNodeId()) < version) {
        return Optional.of(node.getNodeId());
      }
    }
    return Optional.empty();
  }

  private static Optional<String> someUpNode(PdState state, HeartbeatBook book, long nowMs) {
    return state.nodes().nodes().stream()
        .filter(n -> !n.getRemoved() && book.state(n.getNodeId(), nowMs) == NodeState.UP)
        .map(NodeRecord::getNodeId)
        .findFirst();
  }
}
