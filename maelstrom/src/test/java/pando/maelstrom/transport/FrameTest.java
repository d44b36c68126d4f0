package pando.maelstrom.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.junit.jupiter.api.Test;

class FrameTest {
  @Test
  void encodesAndDecodesEveryType() throws IOException {
    byte[] body = "proto bytes".getBytes(StandardCharsets.UTF_8);
    for (FrameType type : FrameType.values()) {
      Frame frame = new Frame(type, -42L, body);
      assertThat(Frame.decode(frame.encode())).isEqualTo(frame);
    }
    assertThat(Frame.decode(new Frame(FrameType.REPLY, 7, new byte[0]).encode()).body()).isEmpty();
  }

  @Test
  void rejectsTruncatedUnknownAndNewerFrames() {
    byte[] valid = new Frame(FrameType.APPEND_ENTRIES, 1, new byte[] {1, 2}).encode();
    assertThatThrownBy(() -> Frame.decode(new byte[] {Frame.VERSION, 0, 0})).isInstanceOf(IOException.class);
    byte[] unknownType = valid.clone();
    unknownType[1] = 99;
    assertThatThrownBy(() -> Frame.decode(unknownType)).hasMessageContaining("unknown frame type");
    byte[] newer = valid.clone();
    newer[0] = Frame.VERSION + 1;
    assertThatThrownBy(() -> Frame.decode(newer)).hasMessageContaining("version");
  }

  @Test
  void remoteErrorsKeepRatisIoExceptionTypesAndNothingElse() {
    assertThat(RemoteErrors.decode(RemoteErrors.encode(new GroupMismatchException("no such group")), "n2"))
        .isExactlyInstanceOf(GroupMismatchException.class)
        .hasMessage("no such group");
    assertThat(RemoteErrors.decode(RemoteErrors.encode(new TimeoutIOException("slow")), "n2"))
        .isExactlyInstanceOf(TimeoutIOException.class);
    // Not an IOException: reported, not rebuilt.
    assertThat(RemoteErrors.decode(RemoteErrors.encode(new IllegalStateException("bad state")), "n2"))
        .isExactlyInstanceOf(IOException.class)
        .hasMessageContaining("n2")
        .hasMessageContaining("IllegalStateException")
        .hasMessageContaining("bad state");
    assertThat(RemoteErrors.decode(new byte[] {1}, "n2")).hasMessageContaining("unreadable");
  }
}
