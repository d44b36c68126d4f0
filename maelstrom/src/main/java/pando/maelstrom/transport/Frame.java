package pando.maelstrom.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The payload of every bus message this transport sends: a version byte, a {@link FrameType} byte,
 * the 8-byte request id that pairs a reply with its request, then the body (a serialized Ratis
 * proto, or an encoded error).
 */
record Frame(FrameType type, long requestId, byte[] body) {
  static final byte VERSION = 1;
  private static final int HEADER_BYTES = 1 + 1 + Long.BYTES;

  Frame {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(body, "body");
  }

  byte[] encode() {
    return ByteBuffer.allocate(HEADER_BYTES + body.length)
        .put(VERSION)
        .put(type.code())
        .putLong(requestId)
        .put(body)
        .array();
  }

  static Frame decode(byte[] bytes) throws IOException {
    if (bytes.length < HEADER_BYTES) {
      throw new IOException("frame of " + bytes.length + " bytes is shorter than its header");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    byte version = buffer.get();
    if (version != VERSION) {
      throw new IOException("unsupported frame version " + version);
    }
    byte code = buffer.get();
    FrameType type = FrameType.ofCode(code);
    if (type == null) {
      throw new IOException("unknown frame type " + code);
    }
    long requestId = buffer.getLong();
    return new Frame(type, requestId, Arrays.copyOfRange(bytes, HEADER_BYTES, bytes.length));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Frame f && type == f.type && requestId == f.requestId && Arrays.equals(body, f.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, requestId, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "Frame[" + type + " #" + requestId + ", " + body.length + " bytes]";
  }
}
