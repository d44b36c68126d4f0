package pando.maelstrom.node;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;

/**
 * Lin-kv keys and values are arbitrary JSON (numbers or strings); the store holds bytes. They are
 * stored as their compact JSON text, so {@code 1} and {@code "1"} stay distinct keys and a value
 * reads back as the JSON it was written as.
 */
final class JsonBytes {
  private JsonBytes() {}

  static ByteString encode(JsonElement json) {
    return ByteString.copyFrom(json.toString(), StandardCharsets.UTF_8);
  }

  static JsonElement decode(ByteString bytes) {
    return JsonParser.parseString(bytes.toStringUtf8());
  }
}
