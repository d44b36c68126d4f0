package pando.bench;

import java.util.List;
import java.util.Optional;

/** The store under test, as the benchmark sees it: an edge, so the runner can be tested with a fake. */
public interface BenchTarget {
  void put(byte[] key, byte[] value) throws Exception;

  Optional<byte[]> get(byte[] key) throws Exception;

  /** Writes many records at once; used only to load data before the measured run. */
  void load(List<byte[]> keys, byte[] value) throws Exception;
}
