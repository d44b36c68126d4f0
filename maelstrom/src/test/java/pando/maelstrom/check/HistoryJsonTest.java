package pando.maelstrom.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HistoryJsonTest {
  private static final String VALID_LINE =
      "{\"process\": 0, \"type\": \"invoke\", \"f\": \"read\", \"key\": \"a\", \"value\": null,"
          + " \"time\": 1}";

  private static List<Event> sampleEvents() {
    Event cas = Event.invokeCas(3, "k1", 1, 2, 123_456_789L);
    Event read = Event.invokeRead(0, "quote\" back\\slash\ttab \u00e9 \u0001", 5);
    Event write = Event.invokeWrite(7, "k2", Long.MIN_VALUE, 6);
    return List.of(
        cas,
        read,
        write,
        read.complete(Event.Type.OK, null, 7),
        cas.complete(Event.Type.FAIL, 8),
        write.complete(Event.Type.INFO, 9),
        Event.invokeWrite(0, "k1", Long.MAX_VALUE, 10),
        new Event(0, Event.Type.OK, Kind.WRITE, "k1", Long.MAX_VALUE, 11),
        new Event(1, Event.Type.OK, Kind.READ, "k1", -4L, 12),
        new Event(2, Event.Type.INFO, Kind.CAS, "k1", null, 13));
  }

  @Test
  void writesTheDocumentedLineFormat() {
    Event cas = Event.invokeCas(3, "k1", 1, 2, 123_456_789L);

    assertThat(HistoryJson.toLine(cas)).isEqualTo(
        "{\"process\": 3, \"type\": \"invoke\", \"f\": \"cas\", \"key\": \"k1\", \"value\": [1, 2],"
            + " \"time\": 123456789}");
    assertThat(HistoryJson.toLine(Event.invokeRead(0, "a", 1))).isEqualTo(VALID_LINE);
  }

  @Test
  void readsBackWhatItWrites() throws IOException {
    StringWriter out = new StringWriter();
    HistoryJson.write(sampleEvents(), out);

    assertThat(out.toString().lines()).hasSize(sampleEvents().size());
    assertThat(HistoryJson.read(new StringReader(out.toString()))).isEqualTo(sampleEvents());
  }

  @Test
  void roundTripsThroughAFile(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("history.jsonl");

    HistoryJson.write(sampleEvents(), file);

    assertThat(HistoryJson.read(file)).isEqualTo(sampleEvents());
  }

  @Test
  void toleratesFieldOrderWhitespaceAndBlankLines() throws IOException {
    String text = "\n  { \"time\":42,\"value\" : [ -1 ,2 ],\t\"key\":\"k\", \"f\":\"cas\","
        + "\"type\":\"ok\",\"process\":9 }  \r\n\n";

    assertThat(HistoryJson.read(new StringReader(text)))
        .containsExactly(new Event(9, Event.Type.OK, Kind.CAS, "k", new Event.Cas(-1, 2), 42));
  }

  static Stream<Arguments> malformedLines() {
    return Stream.of(
        arguments("{\"process\": 0}", "missing field \"type\""),
        arguments(VALID_LINE.replace("}", ", \"extra\": 1}"), "unknown field \"extra\""),
        arguments(VALID_LINE.replace("\"process\": 0", "\"process\": 0, \"process\": 1"),
            "duplicate field \"process\""),
        arguments(VALID_LINE.replace("invoke", "started"), "unknown type \"started\""),
        arguments(VALID_LINE.replace("read", "append"), "unknown f \"append\""),
        arguments(VALID_LINE.replace("\"time\": 1", "\"time\": 1.5"), "only integers"),
        arguments(VALID_LINE.replace("\"time\": 1", "\"time\": \"1\""), "\"time\" must be an integer"),
        arguments(VALID_LINE.replace("\"time\": 1", "\"time\": 99999999999999999999"),
            "out of range"),
        arguments(VALID_LINE + " x", "unexpected text after the object"),
        arguments(VALID_LINE.substring(0, 40), "column"),
        arguments(VALID_LINE.replace("null", "7"), "invoke of read: value must be null"),
        arguments(VALID_LINE.replace("\"read\"", "\"cas\"").replace("null", "[1, 2, 3]"),
            "must be [from, to]"),
        arguments("[1, 2]", "expected '{'"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("malformedLines")
  void rejectsMalformedLineNamingItsNumber(String badLine, String detail) {
    String text = VALID_LINE + "\n" + badLine + "\n" + VALID_LINE + "\n";

    assertThatThrownBy(() -> HistoryJson.read(new StringReader(text)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("line 2: ")
        .hasMessageContaining(detail);
  }
}
