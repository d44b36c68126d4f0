package pando.pd.hot;

import com.google.protobuf.ByteString;
import java.util.HexFormat;

/** How a key appears in messages for people. */
public final class KeyText {
  /** Keys run to 4 KiB; a message shows the start, enough to recognise one. */
  private static final int SHOWN_BYTES_MAX = 64;

  private KeyText() {}

  /**
   * {@code 'text'} when the key is printable UTF-8, else {@code 0x} and its hex digits; a key longer
   * than 64 bytes is cut there and its length added.
   */
  public static String of(ByteString key) {
    ByteString shown = key.size() > SHOWN_BYTES_MAX ? key.substring(0, SHOWN_BYTES_MAX) : key;
    String text = shown.isValidUtf8() && shown.toStringUtf8().chars().noneMatch(Character::isISOControl)
        ? "'" + shown.toStringUtf8() + "'"
        : "0x" + HexFormat.of().formatHex(shown.toByteArray());
    return shown == key ? text : text + "... (" + key.size() + " bytes)";
  }
}
