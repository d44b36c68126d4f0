package pando.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import pando.api.RequestLimits;

class BulkLoadTest {
  private static final BulkLoad.Options SMALL = new BulkLoad.Options(10, 1 << 20, 3, 100, Duration.ofSeconds(1),
      Duration.ofSeconds(5));

  /** Records k1..kN; the group of a key is its number mod {@code groups}. */
  private static List<BulkLoad.Record> records(int n) {
    List<BulkLoad.Record> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(record(i, "k" + i, "v" + i));
    }
    return out;
  }

  private static BulkLoad.Record record(long position, String key, String value) {
    return new BulkLoad.Record(position, key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
  }

  /** A cluster of {@code groups} ranges that remembers what was written and checks each batch. */
  private static final class FakeWriter implements BulkLoad.Writer {
    final Set<String> written = ConcurrentHashMap.newKeySet();
    final List<List<Long>> batches = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger calls = new AtomicInteger();
    final int groups;
    final int failOnBatch;

    FakeWriter(int groups, int failOnBatch) {
      this.groups = groups;
      this.failOnBatch = failOnBatch;
    }

    @Override
    public void write(List<BulkLoad.Record> batch) {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        int number = calls.incrementAndGet();
        batches.add(batch.stream().map(r -> groupOf(r.key())).distinct().toList());
        if (number == failOnBatch) {
          throw new PandoException(Status.Code.UNAVAILABLE, "no leader for the range", null);
        }
        for (BulkLoad.Record r : batch) {
          if (new String(r.key(), StandardCharsets.UTF_8).startsWith("poison")) {
            throw new PandoException(Status.Code.INVALID_ARGUMENT, "invalid request: the node refused " + "poison", null);
          }
        }
        batch.forEach(r -> written.add(new String(r.key(), StandardCharsets.UTF_8)));
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public long groupOf(byte[] key) {
      return Math.floorMod(new String(key, StandardCharsets.UTF_8).hashCode(), groups);
    }
  }

  @Test
  void writesEveryRecordInBatchesOfOneGroupWithABoundedNumberInFlight() {
    FakeWriter cluster = new FakeWriter(4, -1);
    List<BulkLoad.Progress> progress = new ArrayList<>();
    BulkLoad.Result result = BulkLoad.run(records(1000).iterator(), cluster, RequestLimits.defaults(), SMALL,
        progress::add);

    assertThat(result.written()).isEqualTo(1000);
    assertThat(result.rejected()).isZero();
    assertThat(result.confirmedPosition()).isEqualTo(1000);
    assertThat(cluster.written).hasSize(1000);
    assertThat(cluster.batches).allSatisfy(groups -> assertThat(groups).hasSize(1));
    assertThat(cluster.maxInFlight.get()).isBetween(1, SMALL.batchesInFlight());
    assertThat(progress).last().isEqualTo(new BulkLoad.Progress(1000, 0, 1000));
  }

  @Test
  void rejectsWhatTheApiRefusesWithTheReasonAndWritesTheRest() {
    FakeWriter cluster = new FakeWriter(2, -1);
    List<BulkLoad.Record> input = new ArrayList<>(records(20));
    input.add(record(21, "", "empty key"));
    input.add(new BulkLoad.Record(22, new byte[] {0x00, 0x70, 0x6e, 0x64, 1}, new byte[1]));
    input.add(new BulkLoad.Record(23, "big".getBytes(StandardCharsets.UTF_8), new byte[RequestLimits.DEFAULT_MAX_VALUE_BYTES + 1]));
    input.add(record(24, "poison-1", "the node refuses it"));
    input.add(record(25, "k25", "v25"));

    BulkLoad.Result result = BulkLoad.run(input.iterator(), cluster, RequestLimits.defaults(), SMALL, p -> { });

    assertThat(result.written()).isEqualTo(21);
    assertThat(result.rejected()).isEqualTo(4);
    assertThat(result.rejections()).extracting(BulkLoad.Rejection::position).containsExactlyInAnyOrder(21L, 22L, 23L, 24L);
    assertThat(result.rejections()).filteredOn(r -> r.position() == 21).singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("key must not be empty"));
    assertThat(result.rejections()).filteredOn(r -> r.position() == 23).singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("the limit is"));
    assertThat(result.rejections()).filteredOn(r -> r.position() == 24).singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("the node refused"));
    // The refused batch's other records were written one by one.
    assertThat(cluster.written).contains("k25").doesNotContain("poison-1");
    assertThat(result.confirmedPosition()).isEqualTo(25);
  }

  @Test
  void aBatchThatCannotBeWrittenStopsTheLoadAndEverythingUpToTheConfirmedPositionIsWritten() {
    FakeWriter cluster = new FakeWriter(3, 5);
    assertThatThrownBy(() -> BulkLoad.run(records(500).iterator(), cluster, RequestLimits.defaults(), SMALL, p -> { }))
        .isInstanceOfSatisfying(BulkLoad.LoadFailed.class, failed -> {
          long confirmed = failed.progress().confirmedPosition();
          assertThat(failed.getMessage()).contains("no leader for the range", "rerun");
          assertThat(confirmed).isLessThan(500);
          for (long p = 1; p <= confirmed; p++) {
            assertThat(cluster.written).as("record #%d, before the confirmed position", p).contains("k" + p);
          }
        });
  }

  @Test
  void refusesPositionsThatDoNotIncrease() {
    List<BulkLoad.Record> input = List.of(record(2, "a", "1"), record(2, "b", "2"));
    assertThatThrownBy(() -> BulkLoad.run(input.iterator(), new FakeWriter(1, -1), RequestLimits.defaults(), SMALL,
        p -> { })).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must increase");
  }
}
