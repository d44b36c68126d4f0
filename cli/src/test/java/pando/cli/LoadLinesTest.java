package pando.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoadLinesTest {
  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Test
  void readsJsonLinesAndNumbersTheRecordByItsLine() {
    LoadLines.Parsed parsed = new LoadLines(LoadLines.Format.JSONL, false).parse(7, "{\"key\": \"k,1\", \"value\": \"é\"}");
    assertThat(parsed).isInstanceOfSatisfying(LoadLines.Parsed.Ok.class, ok -> {
      assertThat(ok.record().position()).isEqualTo(7);
      assertThat(text(ok.record().key())).isEqualTo("k,1");
      assertThat(text(ok.record().value())).isEqualTo("é");
    });
  }

  @Test
  void splitsCsvAtTheFirstCommaAndReadsHexValues() {
    LoadLines.Parsed parsed = new LoadLines(LoadLines.Format.CSV, true).parse(1, "key,00ff");
    assertThat(parsed).isInstanceOfSatisfying(LoadLines.Parsed.Ok.class, ok -> {
      assertThat(text(ok.record().key())).isEqualTo("key");
      assertThat(ok.record().value()).containsExactly(0x00, 0xff);
    });
    assertThat(new LoadLines(LoadLines.Format.CSV, false).parse(1, "a,b,c"))
        .isInstanceOfSatisfying(LoadLines.Parsed.Ok.class, ok -> assertThat(text(ok.record().value())).isEqualTo("b,c"));
  }

  @Test
  void saysWhyALineIsNotARecord() {
    LoadLines json = new LoadLines(LoadLines.Format.JSONL, false);
    assertThat(json.parse(1, "   ")).isInstanceOf(LoadLines.Parsed.Blank.class);
    assertThat(reason(json.parse(1, "{oops"))).startsWith("not JSON");
    assertThat(reason(json.parse(1, "{\"a\" 1}"))).startsWith("not JSON: Expected ':'").doesNotContain("\n").doesNotContain("Exception");
    assertThat(reason(json.parse(1, "[1, 2]"))).isEqualTo("not a JSON object");
    assertThat(reason(json.parse(1, "{\"key\": 5, \"value\": \"v\"}"))).contains("string fields");
    assertThat(reason(json.parse(1, "{\"key\": \"k\"}"))).contains("string fields");
    assertThat(reason(json.parse(1, "{\"key\": \"k\", \"value\": \"v\", \"key\": null}"))).contains("string fields");
    assertThat(reason(json.parse(1, "{\"key\": \"k\", \"value\": \"v\"} {}"))).startsWith("not JSON");
    assertThat(reason(json.parse(1, "{\"key\": \"k\", \"value\": \"v\""))).startsWith("not JSON");
    // Other fields, of any shape, are skipped.
    assertThat(json.parse(1, "{\"ttl\": [1, {\"a\": 2}], \"key\": \"k\", \"value\": \"v\"}"))
        .isInstanceOfSatisfying(LoadLines.Parsed.Ok.class, ok -> assertThat(text(ok.record().value())).isEqualTo("v"));
    assertThat(reason(new LoadLines(LoadLines.Format.CSV, false).parse(1, "nocomma"))).contains("no comma");
    assertThat(reason(new LoadLines(LoadLines.Format.CSV, true).parse(1, "k,zz"))).contains("not hex");
  }

  @Test
  void tellsTheFormatFromTheFileName() {
    assertThat(LoadLines.Format.ofFileName("a.JSONL")).contains(LoadLines.Format.JSONL);
    assertThat(LoadLines.Format.ofFileName("a.ndjson")).contains(LoadLines.Format.JSONL);
    assertThat(LoadLines.Format.ofFileName("a.csv")).contains(LoadLines.Format.CSV);
    assertThat(LoadLines.Format.ofFileName("a.txt")).isEmpty();
  }

  private static String reason(LoadLines.Parsed parsed) {
    assertThat(parsed).isInstanceOf(LoadLines.Parsed.Bad.class);
    return ((LoadLines.Parsed.Bad) parsed).reason();
  }

  @Test
  void everyLineThatIsNotARecordIsCountedThoughOnlyTheFirstAreKept() throws Exception {
    StringBuilder file = new StringBuilder("{\"key\": \"a\", \"value\": \"1\"}\n");
    for (int i = 0; i < 150; i++) {
      file.append("not a record\n");
    }
    file.append("{\"key\": \"b\", \"value\": \"2\"}\n");
    try (LoadCommand.Lines lines = new LoadCommand.Lines(new java.io.BufferedReader(new java.io.StringReader(file.toString())),
        new LoadLines(LoadLines.Format.JSONL, false), 0)) {
      java.util.List<Long> positions = new java.util.ArrayList<>();
      lines.forEachRemaining(r -> positions.add(r.position()));
      assertThat(positions).containsExactly(1L, 152L);
      assertThat(lines.badCount()).isEqualTo(150);
      assertThat(lines.bad).hasSize(pando.client.BulkLoad.Options.defaults().rejectionsKept());
      assertThat(lines.bad.get(0).position()).isEqualTo(2);
    }
  }
}
