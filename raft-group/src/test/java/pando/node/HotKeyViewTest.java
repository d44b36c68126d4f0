package pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import pando.api.hot.HotKey;
import pando.api.hot.HotKeyTable;

class HotKeyViewTest {
  private static HotKeyTable version(long v) {
    HotKeyTable table = HotKeyTable.empty();
    for (long i = 0; i < v; i++) {
      table = table.with(new HotKey(ByteString.copyFromUtf8("k" + i), HotKey.Mode.READ_HOT, 2,
          HotKey.State.SALTING, HotKey.Origin.PINNED));
    }
    return table;
  }

  @Test
  void aNodeSettlesOnANewTableOnlyOnceTheRequestsStartedUnderOlderOnesAreAnswered() {
    HotKeyView view = new HotKeyView();
    view.adopt(version(1));
    HotKeyView.Ticket early = view.begin();
    view.adopt(version(2));
    HotKeyView.Ticket middle = view.begin();
    view.adopt(version(3));

    assertThat(early.table().version()).isEqualTo(1);
    assertThat(view.table().version()).isEqualTo(3);
    assertThat(view.settledVersion()).isEqualTo(1);
    early.close();
    assertThat(view.settledVersion()).isEqualTo(2);
    middle.close();
    middle.close(); // twice is harmless
    assertThat(view.settledVersion()).isEqualTo(3);
  }

  @Test
  void anOlderOrEqualTableIsIgnored() {
    HotKeyView view = new HotKeyView();
    assertThat(view.adopt(version(2))).isTrue();
    assertThat(view.adopt(version(2))).isFalse();
    assertThat(view.adopt(version(1))).isFalse();
    assertThat(view.table().version()).isEqualTo(2);
  }

  @Test
  void noRequestStartedUnderAnOlderTableIsRunningOnceTheNewOneIsSettled() throws Exception {
    // Requests start and end on several threads while tables change; whenever the view reports a
    // version settled, no request that began under an older version may still be running.
    HotKeyView view = new HotKeyView();
    AtomicBoolean stop = new AtomicBoolean();
    List<long[]> running = new ArrayList<>(); // per thread: the version of its open ticket, or -1
    ExecutorService threads = Executors.newFixedThreadPool(3);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      long[] mine = {-1};
      running.add(mine);
      futures.add(threads.submit(() -> {
        while (!stop.get()) {
          try (HotKeyView.Ticket ticket = view.begin()) {
            synchronized (mine) {
              mine[0] = ticket.table().version();
            }
            Thread.onSpinWait();
            synchronized (mine) {
              mine[0] = -1;
            }
          }
        }
      }));
    }
    try {
      for (long v = 1; v <= 300; v++) {
        view.adopt(version(v));
        long settled = view.settledVersion();
        for (long[] thread : running) {
          synchronized (thread) {
            assertThat(thread[0] < 0 || thread[0] >= settled)
                .as("a request under version %d runs while %d is reported settled", thread[0], settled)
                .isTrue();
          }
        }
      }
    } finally {
      stop.set(true);
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
      threads.shutdown();
    }
    assertThat(view.settledVersion()).isEqualTo(300);
  }
}
