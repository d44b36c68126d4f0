package pando.maelstrom.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineReaderTest {

  private static LineReader reader(String text, int max) {
    return new LineReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), max);
  }

  @Test
  void readsLfCrlfAndAnUnterminatedLastLine() throws IOException {
    LineReader r = reader("a\r\nbü\n\nlast", 100);

    assertThat(r.readLine()).isEqualTo("a");
    assertThat(r.readLine()).isEqualTo("bü");
    assertThat(r.readLine()).isEmpty();
    assertThat(r.readLine()).isEqualTo("last");
    assertThat(r.readLine()).isNull();
  }

  @Test
  void skipsOverlongLinesAndGoesOn() throws IOException {
    String huge = "x".repeat(50_000); // longer than the internal buffer
    LineReader r = reader("ok\n" + huge + "\n12345\n123456\nnext\n" + huge, 5);

    assertThat(r.readLine()).isEqualTo("ok");
    assertThatThrownBy(r::readLine).isInstanceOf(LineReader.LineTooLongException.class)
        .hasMessageContaining("50000");
    assertThat(r.readLine()).isEqualTo("12345");
    assertThatThrownBy(r::readLine).isInstanceOf(LineReader.LineTooLongException.class);
    assertThat(r.readLine()).isEqualTo("next");
    assertThatThrownBy(r::readLine).isInstanceOf(LineReader.LineTooLongException.class);
    assertThat(r.readLine()).isNull();
  }
}
