package pando.maelstrom.transport;

import java.util.Arrays;
import java.util.Objects;

/**
 * One message on a {@link MessageBus}: who sent it, to whom, and its opaque payload.
 *
 * <p>The payload array is owned by the envelope once built; nobody may change it afterwards.
 * Equality compares payload contents.
 */
public record Envelope(String src, String dest, byte[] payload) {
  public Envelope {
    Objects.requireNonNull(src, "src");
    Objects.requireNonNull(dest, "dest");
    Objects.requireNonNull(payload, "payload");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Envelope e
        && src.equals(e.src) && dest.equals(e.dest) && Arrays.equals(payload, e.payload);
  }

  @Override
  public int hashCode() {
    return Objects.hash(src, dest, Arrays.hashCode(payload));
  }

  @Override
  public String toString() {
    return "Envelope[" + src + "->" + dest + ", " + payload.length + " bytes]";
  }
}
