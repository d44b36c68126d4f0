package pando.maelstrom.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageCodecTest {

  @Test
  void serializesCompactlyWithSrcDestBody() {
    JsonObject body = Message.newBody("read");
    body.addProperty("msg_id", 1);
    body.addProperty("key", 3);

    String line = MessageCodec.serialize(new Message("c1", "n1", body));

    assertThat(line)
        .isEqualTo("{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"read\",\"msg_id\":1,\"key\":3}}");
  }

  @Test
  void roundTripsNestedBodiesAndAwkwardStringsOnOneLine() {
    JsonObject body = Message.newBody("append_entries");
    body.addProperty("msg_id", Long.MAX_VALUE);
    body.addProperty("in_reply_to", 0);
    body.addProperty("text", "line1\nline2\r\u2028 \"quoted\" <html> ü 🚀");
    JsonArray entries = new JsonArray();
    JsonObject entry = new JsonObject();
    entry.addProperty("term", 3);
    entry.add("payload", null);
    entries.add(entry);
    body.add("entries", entries);
    Message m = new Message("n1", "n2", body);

    String line = MessageCodec.serialize(m);
    Message back = MessageCodec.parse(line);

    assertThat(line).doesNotContain("\n", "\r", "\u2028");
    assertThat(back).isEqualTo(m);
    assertThat(back.msgId()).hasValue(Long.MAX_VALUE);
    assertThat(back.inReplyTo()).hasValue(0);
    assertThat(back.isReply()).isTrue();
    assertThat(back.requireString("text")).isEqualTo(m.requireString("text"));
  }

  @Test
  void ignoresUnknownTopLevelFieldsAsTheReferenceMaelstromAddsAnId() {
    Message m = MessageCodec.parse(
        "{\"id\": 7, \"src\": \"c1\", \"dest\": \"n1\", \"body\": {\"type\": \"init\","
            + " \"msg_id\": 1, \"node_id\": \"n1\", \"node_ids\": [\"n1\"]}}");

    assertThat(m.src()).isEqualTo("c1");
    assertThat(m.type()).isEqualTo("init");
    assertThat(m.msgId()).hasValue(1);
    assertThat(m.inReplyTo()).isEmpty();
  }

  @Test
  void typedAccessorsRejectWrongShapesAsMalformed() {
    Message m = MessageCodec.parse(
        "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"write\",\"key\":\"k\",\"value\":1.5}}");

    assertThatThrownBy(() -> m.requireLong("value"))
        .isInstanceOf(MalformedMessageException.class).hasMessageContaining("\"value\"");
    assertThatThrownBy(() -> m.requireLong("absent"))
        .isInstanceOf(MalformedMessageException.class).hasMessageContaining("\"absent\"");
    assertThatThrownBy(() -> m.requireString("value"))
        .isInstanceOf(MalformedMessageException.class);
    assertThat(m.requireString("key")).isEqualTo("k");
  }

  @Test
  void bodyIsCopiedSoMessagesStayImmutable() {
    JsonObject body = Message.newBody("write");
    Message m = new Message("c1", "n1", body);
    body.addProperty("value", 1);
    m.body().addProperty("value", 2);

    assertThat(m.has("value")).isFalse();
  }

  @Test
  void errorCodeIsReadFromErrorBodies() {
    JsonObject body = ErrorCode.PRECONDITION_FAILED.body("expected 3");
    body.addProperty("in_reply_to", 4);
    Message m = new Message("n1", "c1", body);

    assertThat(m.errorCode()).hasValue(22);
    assertThat(m.requireString("text")).isEqualTo("expected 3");
    assertThat(new Message("n1", "c1", Message.newBody("read_ok")).errorCode()).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "empty | `` | empty line",
      "blank | `   ` | empty line",
      "not json | hello | not valid JSON",
      "truncated | {\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"read\" | not valid JSON",
      "trailing text | {\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"a\"}} x | after the JSON",
      "two objects | {\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"a\"}}{} | after the JSON",
      "lenient syntax | {src:\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"a\"}} | not valid JSON",
      "array | [1,2] | must be a JSON object",
      "missing src | {\"dest\":\"n1\",\"body\":{\"type\":\"a\"}} | \"src\" must be a string",
      "numeric src | {\"src\":1,\"dest\":\"n1\",\"body\":{\"type\":\"a\"}} | \"src\" must be a string",
      "missing dest | {\"src\":\"c1\",\"body\":{\"type\":\"a\"}} | \"dest\" must be a string",
      "missing body | {\"src\":\"c1\",\"dest\":\"n1\"} | \"body\" must be a JSON object",
      "body string | {\"src\":\"c1\",\"dest\":\"n1\",\"body\":\"x\"} | \"body\" must be a JSON object",
      "no type | {\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"msg_id\":1}} | no string \"type\"",
      "fractional msg_id | {\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"a\",\"msg_id\":1.5}} | \"msg_id\" must be an integer",
      "string msg_id | {\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"a\",\"msg_id\":\"1\"}} | \"msg_id\" must be an integer",
      "huge in_reply_to | {\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"a\",\"in_reply_to\":1e30}} | \"in_reply_to\" must be an integer",
  })
  void rejectsMalformedLinesWithAClearMessage(String name, String line, String problem) {
    assertThatThrownBy(() -> MessageCodec.parse(line))
        .isInstanceOf(MalformedMessageException.class)
        .hasMessageContaining(problem);
  }

  @Test
  void longMalformedLinesAreQuotedOnlyInPart() {
    String line = "x".repeat(10_000);

    assertThatThrownBy(() -> MessageCodec.parse(line))
        .hasMessageContaining("(10000 chars)")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1_000));
  }
}
