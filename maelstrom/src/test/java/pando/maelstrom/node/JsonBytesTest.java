package pando.maelstrom.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;

class JsonBytesTest {
  @Test
  void numbersAndStringsStayDistinctAndRoundTrip() {
    assertThat(JsonBytes.encode(JsonParser.parseString("1")))
        .isNotEqualTo(JsonBytes.encode(JsonParser.parseString("\"1\"")));
    for (String json : new String[] {"1", "\"1\"", "-42", "\"héllo\"", "12345678901234"}) {
      assertThat(JsonBytes.decode(JsonBytes.encode(JsonParser.parseString(json))))
          .isEqualTo(JsonParser.parseString(json));
    }
  }
}
