package pando.api.hot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import pando.api.hot.HotKey.Mode;
import pando.api.hot.HotKey.Operation;
import pando.api.hot.HotKey.Origin;
import pando.api.hot.HotKey.Plan;
import pando.api.hot.HotKey.State;

/**
 * Checks the read-hot statements of {@link HotKey}'s class comment on a model: the primary and the
 * copies each hold a version (a write's value is its version, so "nothing invented" is checkable);
 * a write takes one step at the primary, then one per copy in any order with "put if newer" (the
 * node sends them all at once, so they land in any order), where the value put may be a newer
 * write's that took the update's place (the node collapses queued updates of a copy into the
 * newest); a read takes one step at the copy its plan picks. Writers may give up half way.
 * Interleavings are random, from a seed named on failure.
 */
class ReadHotConsistencyTest {
  private static final ByteString KEY = ByteString.copyFromUtf8("config:flags");

  @Test
  void copiesTrailThePrimaryAndReadsSeeEveryAcknowledgedWrite() {
    int anomalies = 0;
    for (long seed = 0; seed < 2_000; seed++) {
      anomalies += new Run(seed).run();
    }
    // Statement 5 is a real weakening, not a theoretical one: random runs hit it.
    assertThat(anomalies).isGreaterThan(0);
  }

  /** Statement 5 by hand: one write in flight, two reads one after the other. */
  @Test
  void aLaterReadOfAnotherSaltMaySeeAnOlderValueWhileAWriteIsInFlight() {
    Model model = new Model(active(3));
    Writer writer = model.newWriter();
    writer.step(); // primary: version 1
    writer.step(); // copy 0 takes version 1

    long first = model.versionOf(0);
    long second = model.versionOf(1);

    assertThat(first).isEqualTo(1);
    assertThat(second).as("copy 1 has not been reached yet").isEqualTo(0);
    writer.finish();
    assertThat(model.versionOf(1)).isEqualTo(1);
  }

  /** Statement 6: an abandoned write leaves copies apart, and the next acknowledged write repairs them. */
  @Test
  void theNextAcknowledgedWriteRepairsCopiesAWriterAbandoned() {
    Model model = new Model(active(4));
    Writer abandoned = model.newWriter();
    abandoned.step();
    abandoned.step();
    abandoned.step(); // primary, copy 0, copy 1 at version 1; copies 2 and 3 still at 0
    assertThat(model.copies).containsExactly(1, 1, 0, 0);
    abandoned.stepAt(3); // copy 3 before copy 2: no order among copies
    assertThat(model.copies).containsExactly(1, 1, 0, 1);

    model.newWriter().finish();

    assertThat(model.copies).containsExactly(2, 2, 2, 2);
    assertThat(model.primary).isEqualTo(2);
  }

  /** Two writers crossing: "put if newer" keeps each copy on the higher version. */
  @Test
  void anOlderWriteArrivingLateDoesNotOverwriteANewerCopy() {
    Model model = new Model(active(2));
    Writer slow = model.newWriter();
    Writer fast = model.newWriter();
    slow.step(); // primary version 1
    fast.finish(); // version 2 everywhere
    slow.finish(); // version 1 arrives late at both copies

    assertThat(model.copies).containsExactly(2, 2);
  }

  /** A write whose copy update was taken over by a newer write's is done once the newer value lands. */
  @Test
  void aWriteCoveredByANewerValueAtACopyIsAcknowledged() {
    Model model = new Model(active(2));
    Writer first = model.newWriter();
    Writer second = model.newWriter();
    first.step(); // primary version 1
    second.step(); // primary version 2
    first.stepCarrying(2); // copy 0: the node sent the newest queued value, version 2, in its place
    assertThat(first.stepCarrying(2)).as("copy 1 too: the first write is acknowledged").isTrue();

    assertThat(model.acknowledgedMax).isEqualTo(1);
    second.finish();
    assertThat(model.acknowledgedMax).isEqualTo(2);
    assertThat(model.copies).containsExactly(2, 2);
  }

  private static final class Run {
    private final long seed;
    private final Random random;
    private final Model model;
    /** Versions of the reads of the one reader, in order, and whether a write was in flight. */
    private long previousRead = -1;

    private int anomalies;

    Run(long seed) {
      this.seed = seed;
      this.random = new Random(seed);
      this.model = new Model(active(2 + random.nextInt(4)));
    }

    int run() {
      List<Writer> writers = new ArrayList<>();
      for (int step = 0; step < 60; step++) {
        int roll = random.nextInt(10);
        if (roll < 2) {
          writers.add(model.newWriter(random, true));
        } else if (roll < 6 && !writers.isEmpty()) {
          Writer writer = writers.get(random.nextInt(writers.size()));
          if (random.nextInt(20) == 0) {
            writers.remove(writer); // the client gives up half way
          } else if (writer.stepCarrying(carried(writer))) {
            writers.remove(writer);
          }
        } else {
          read();
        }
        checkTrailing();
      }
      for (Writer writer : writers) {
        writer.finish();
        checkTrailing();
      }
      if (model.lastWriteAcknowledged()) {
        for (int salt = 0; salt < model.copies.length; salt++) {
          assertThat(model.copies[salt])
              .as("seed %d: statement 6, copy %d converged", seed, salt)
              .isEqualTo(model.primary);
        }
      }
      return anomalies;
    }

    void read() {
      Plan plan = model.hot.plan(Operation.READ, random);
      int salt = SaltedKeys.parse(((Plan.OneCopy) plan).key()).orElseThrow().salt();
      long version = model.copies[salt];
      assertThat(version)
          .as("seed %d: statement 2, the read sees every acknowledged write", seed)
          .isGreaterThanOrEqualTo(model.acknowledgedMax);
      assertThat(version)
          .as("seed %d: statement 3, the read sees a write that has started", seed)
          .isLessThanOrEqualTo(model.primary);
      if (version < previousRead) {
        anomalies++; // statement 5: allowed
      }
      previousRead = version;
    }

    /** What a copy step of {@code writer} puts: its own version, or a newer write's now and then. */
    long carried(Writer writer) {
      if (writer.version < 0 || random.nextInt(4) != 0) {
        return writer.version;
      }
      return writer.version + random.nextLong(model.primary - writer.version + 1);
    }

    void checkTrailing() {
      for (int salt = 0; salt < model.copies.length; salt++) {
        assertThat(model.copies[salt])
            .as("seed %d: statement 1, copy %d", seed, salt)
            .isLessThanOrEqualTo(model.primary);
      }
    }
  }

  /** The primary's and the copies' versions; version 0 is the value before any write. */
  private static final class Model {
    final HotKey hot;
    final long[] copies;
    long primary;
    long acknowledgedMax;
    private final List<Long> acknowledged = new ArrayList<>();

    Model(HotKey hot) {
      this.hot = hot;
      this.copies = new long[hot.salts()];
    }

    /** A writer that updates the copies in salt order. */
    Writer newWriter() {
      return newWriter(new Random(0), false);
    }

    Writer newWriter(Random random, boolean shuffled) {
      Writer writer = new Writer(this, (Plan.PrimaryThenCopies) hot.plan(Operation.WRITE, random));
      if (shuffled) {
        Collections.shuffle(writer.saltsLeft, random);
      }
      return writer;
    }

    long versionOf(int salt) {
      return copies[salt];
    }

    boolean lastWriteAcknowledged() {
      return primary == 0 || acknowledged.contains(primary);
    }

    void acknowledge(long version) {
      acknowledged.add(version);
      acknowledgedMax = Math.max(acknowledgedMax, version);
    }
  }

  private static final class Writer {
    private final Model model;
    /** The copies this write has still to update, in the order it will. */
    final List<Integer> saltsLeft = new ArrayList<>();
    long version = -1;

    Writer(Model model, Plan.PrimaryThenCopies plan) {
      this.model = model;
      for (ByteString copy : plan.copies()) {
        saltsLeft.add(SaltedKeys.parse(copy).orElseThrow().salt());
      }
    }

    /** One step with this write's own value; true once the write is acknowledged. */
    boolean step() {
      return stepCarrying(version);
    }

    /**
     * One step; at a copy, puts the value of version {@code carried} (this write's or a newer one
     * that has reached the primary). True once the write is acknowledged.
     */
    boolean stepCarrying(long carried) {
      if (version < 0) {
        version = ++model.primary;
        return false;
      }
      return stepAt(saltsLeft.get(0), carried);
    }

    /** The next step at copy {@code salt}, with this write's own value. */
    boolean stepAt(int salt) {
      return stepAt(salt, version);
    }

    private boolean stepAt(int salt, long carried) {
      if (carried < version || carried > model.primary) {
        throw new IllegalArgumentException("a copy update carries a write that reached the primary, not older");
      }
      saltsLeft.remove(Integer.valueOf(salt));
      model.copies[salt] = Math.max(model.copies[salt], carried); // put if newer
      if (saltsLeft.isEmpty()) {
        model.acknowledge(version);
        return true;
      }
      return false;
    }

    void finish() {
      while (!step()) {
        // each step makes progress; the loop ends after 1 + S steps at most
      }
    }
  }

  private static HotKey active(int salts) {
    return new HotKey(KEY, Mode.READ_HOT, salts, State.ACTIVE, Origin.DETECTED);
  }
}
