package pando.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import pando.internal.v1.RangeResult;
import pando.v1.IncrResponse;
import pando.v1.WriteId;

class SessionsTest {
  private static final long SESSION = 42;

  private static WriteId id(long session, long seq, long doneBelow) {
    return WriteId.newBuilder().setSession(session).setSeq(seq).setDoneBelow(doneBelow).build();
  }

  private static RangeResult incremented(long value) {
    return RangeResult.newBuilder().setIncr(IncrResponse.newBuilder().setValue(value)).build();
  }

  private static Sessions.Verdict.Refused refused(Sessions.Verdict verdict) {
    assertThat(verdict).isInstanceOf(Sessions.Verdict.Refused.class);
    return (Sessions.Verdict.Refused) verdict;
  }

  @Test
  void aWriteOfAnUnknownSessionIsRefused() {
    Sessions sessions = new Sessions(Sessions.Limits.defaults());
    assertThat(refused(sessions.check(id(SESSION, 1, 0), 5)).status()).isEqualTo(RangeResult.Status.SESSION_UNKNOWN);
  }

  @Test
  void aSecondCopyOfAWriteIsAnsweredWithTheFirstResult() {
    Sessions sessions = new Sessions(Sessions.Limits.defaults());
    sessions.open(SESSION, 1);
    assertThat(sessions.check(id(SESSION, 1, 1), 2)).isInstanceOf(Sessions.Verdict.Apply.class);
    sessions.record(id(SESSION, 1, 1), incremented(7));
    // Later writes of the session, then the delayed copy of seq 1 with an older done_below.
    for (long seq = 2; seq <= 5; seq++) {
      assertThat(sessions.check(id(SESSION, seq, 1), seq + 1)).isInstanceOf(Sessions.Verdict.Apply.class);
      sessions.record(id(SESSION, seq, 1), incremented(7 + seq));
    }
    assertThat(sessions.check(id(SESSION, 1, 1), 9)).isEqualTo(new Sessions.Verdict.Answered(incremented(7)));
  }

  @Test
  void aWriteBelowTheFloorIsRefusedAndItsResultDropped() {
    Sessions sessions = new Sessions(Sessions.Limits.defaults());
    sessions.open(SESSION, 1);
    sessions.check(id(SESSION, 1, 1), 2);
    sessions.record(id(SESSION, 1, 1), incremented(1));
    sessions.check(id(SESSION, 2, 2), 3);
    sessions.record(id(SESSION, 2, 2), incremented(2));
    assertThat(sessions.result(SESSION, 1)).isEmpty();
    assertThat(refused(sessions.check(id(SESSION, 1, 1), 4)).status()).isEqualTo(RangeResult.Status.SEQ_FORGOTTEN);
    // A seq the writer gave up on without any answer is refused too, so it can never apply late.
    sessions.check(id(SESSION, 5, 4), 5);
    assertThat(refused(sessions.check(id(SESSION, 3, 2), 6)).status()).isEqualTo(RangeResult.Status.SEQ_FORGOTTEN);
  }

  @Test
  void pastTheResultLimitTheLowestResultsGoAndTheirSeqsAreRefused() {
    Sessions sessions = new Sessions(new Sessions.Limits(10, 3, 60_000));
    sessions.open(SESSION, 1);
    for (long seq = 1; seq <= 5; seq++) {
      sessions.check(id(SESSION, seq, 1), seq + 1);
      sessions.record(id(SESSION, seq, 1), incremented(seq));
    }
    assertThat(sessions.result(SESSION, 2)).isEmpty();
    assertThat(sessions.result(SESSION, 3)).contains(incremented(3));
    assertThat(refused(sessions.check(id(SESSION, 2, 1), 9)).status()).isEqualTo(RangeResult.Status.SEQ_FORGOTTEN);
    assertThat(sessions.check(id(SESSION, 5, 1), 10)).isEqualTo(new Sessions.Verdict.Answered(incremented(5)));
  }

  @Test
  void sessionsExpireByTheLogClockNotByTheirOwnUse() {
    Sessions sessions = new Sessions(new Sessions.Limits(10, 100, 1_000));
    sessions.tick(10_000);
    sessions.open(1, 1);
    sessions.open(2, 2);
    sessions.tick(10_800);
    sessions.check(id(2, 1, 1), 3); // session 2 used at clock 10,800
    sessions.tick(11_001);
    assertThat(refused(sessions.check(id(1, 1, 1), 4)).status()).isEqualTo(RangeResult.Status.SESSION_UNKNOWN);
    assertThat(sessions.check(id(2, 2, 1), 5)).isInstanceOf(Sessions.Verdict.Apply.class);
    // A new leader whose clock is behind does not bring expired sessions back or move the clock back.
    sessions.tick(5_000);
    assertThat(sessions.clockMillis()).isEqualTo(11_001);
  }

  @Test
  void theLeastRecentlyUsedSessionMakesRoomForANewOne() {
    Sessions sessions = new Sessions(new Sessions.Limits(2, 100, 60_000));
    sessions.open(1, 1);
    sessions.open(2, 2);
    sessions.check(id(1, 1, 1), 3); // 1 is now used after 2
    sessions.open(3, 4);
    assertThat(sessions.size()).isEqualTo(2);
    assertThat(refused(sessions.check(id(2, 1, 1), 5)).status()).isEqualTo(RangeResult.Status.SESSION_UNKNOWN);
    assertThat(sessions.check(id(1, 2, 1), 6)).isInstanceOf(Sessions.Verdict.Apply.class);
  }

  @Test
  void recordsRebuildTheSameSessions() {
    Sessions sessions = new Sessions(new Sessions.Limits(2, 100, 60_000));
    sessions.tick(1_000);
    sessions.open(1, 1);
    sessions.check(id(1, 4, 2), 2);
    sessions.record(id(1, 4, 2), incremented(4));
    sessions.open(2, 3);
    Sessions copy = Sessions.of(new Sessions.Limits(2, 100, 60_000), sessions.records(), sessions.clockMillis());
    assertThat(copy.records()).isEqualTo(sessions.records());
    assertThat(copy.check(id(1, 4, 2), 5)).isEqualTo(new Sessions.Verdict.Answered(incremented(4)));
    assertThat(refused(copy.check(id(1, 1, 1), 6)).status()).isEqualTo(RangeResult.Status.SEQ_FORGOTTEN);
    // The order of last use survives too: session 2 is now the least recently used.
    copy.open(3, 7);
    assertThat(refused(copy.check(id(2, 1, 1), 8)).status()).isEqualTo(RangeResult.Status.SESSION_UNKNOWN);
  }

  @Test
  void changesNameWhatToWriteAndWhatToDelete() {
    Sessions sessions = new Sessions(new Sessions.Limits(1, 100, 60_000));
    sessions.open(1, 1);
    assertThat(sessions.takeChanges().changed()).extracting(r -> r.getId()).containsExactly(1L);
    assertThat(sessions.takeChanges().changed()).isEmpty();
    sessions.open(2, 2);
    Sessions.Changes changes = sessions.takeChanges();
    assertThat(changes.changed()).extracting(r -> r.getId()).containsExactly(2L);
    assertThat(changes.dropped()).containsExactly(1L);
  }
}
