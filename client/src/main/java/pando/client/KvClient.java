package pando.client;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import pando.v1.ReadConsistency;

/**
 * The calls of Pando's KV API as an application makes them. Two implementations: {@link
 * RoutingClient}, which sends each request straight to the leader of its key's range (use it), and
 * {@link PandoClient}, which talks to one node that forwards each request (for tools and for
 * nodes started without a placement driver). Failures are {@link PandoException}s.
 */
public interface KvClient extends AutoCloseable {
  void put(byte[] key, byte[] value);

  /** A linearizable read. */
  Optional<byte[]> get(byte[] key);

  Optional<byte[]> get(byte[] key, ReadConsistency consistency);

  /** True if the key existed. */
  boolean delete(byte[] key);

  CasResult cas(byte[] key, Optional<byte[]> expected, byte[] newValue);

  long incr(byte[] key, long delta);

  /** Results in the order of {@code keys}; not a snapshot across ranges. */
  List<Optional<byte[]>> batchGet(List<byte[]> keys, ReadConsistency consistency);

  /** Atomic per range, not across ranges. */
  void batchPut(Map<byte[], byte[]> entries);

  @Override
  void close();
}
