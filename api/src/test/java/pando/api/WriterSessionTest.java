package pando.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import pando.v1.WriteId;

class WriterSessionTest {
  @Test
  void doneBelowIsTheLowestWriteStillOpen() {
    WriterSession session = new WriterSession(7);
    WriteId first = session.issue();
    WriteId second = session.issue();
    assertThat(first.getSession()).isEqualTo(7);
    assertThat(first.getSeq()).isEqualTo(1);
    assertThat(second.getSeq()).isEqualTo(2);
    assertThat(second.getDoneBelow()).isEqualTo(1);
    session.done(second);
    assertThat(session.issue().getDoneBelow()).as("seq 1 is still open").isEqualTo(1);
    session.done(first);
    WriteId fourth = session.issue();
    assertThat(fourth.getSeq()).isEqualTo(4);
    assertThat(fourth.getDoneBelow()).as("3 is open, everything below it done").isEqualTo(3);
  }

  @Test
  void aWriteOfAnotherSessionDoesNotCloseOneOfThis() {
    WriterSession session = new WriterSession(7);
    WriteId mine = session.issue();
    session.done(mine.toBuilder().setSession(8).build());
    assertThat(session.issue().getDoneBelow()).isEqualTo(mine.getSeq());
  }
}
