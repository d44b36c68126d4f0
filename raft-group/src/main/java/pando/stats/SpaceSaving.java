package pando.stats;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import pando.api.KeyHash;

/**
 * The most frequent keys of a stream, in fixed memory: Space-Saving (Metwally, Agrawal and El
 * Abbadi, 2005) with weights.
 *
 * <p>It monitors at most {@code capacity} keys, each with a count and an error. A monitored key's
 * count grows by the weight offered. A new key, when all counters are taken, replaces the key with
 * the smallest count {@code m}: it starts at {@code m + weight} with error {@code m}. Hence, with
 * {@code N} the total weight offered since the last {@link #reset}:
 *
 * <ul>
 *   <li>a monitored key's true weight lies in {@code [count - error, count]};
 *   <li>the counts add up to exactly {@code N}, so the smallest is at most {@code N / capacity}, and
 *       a key that is not monitored has a true weight of at most {@link #unseenMax()};
 *   <li>so every key whose true weight exceeds {@code N / capacity} is monitored;
 *   <li>while at most {@code capacity} distinct keys have been offered, counts are exact (error 0).
 * </ul>
 *
 * <p>Each monitored key also has its weight split by {@link Access} (reads, writes, increments),
 * counted exactly since the key was last admitted; the three add up to {@code count - error}.
 *
 * <p>Memory is fixed: {@code capacity} counters, each holding at most {@code maxKeyBytes} bytes of
 * its key. A longer key is tracked as its first {@code maxKeyBytes} bytes plus its length and its
 * {@link KeyHash} (which identifies it for our purposes: two keys with the same prefix, length and
 * 64-bit hash are counted as one); its {@link TrackedKey#truncated()} is true, and it cannot be
 * named in full to the PD. With the defaults (64 counters, 256 bytes) a sketch holds about 64 ×
 * (256 + 200) bytes, under 30 KiB per range; the 200 bytes are the counter, its map entry and
 * object headers.
 *
 * <p>Cost: a hash-map lookup and a sift in a binary min-heap, O(log capacity) per offer, plus the
 * key hash, O(key length). Not thread-safe: the owner serialises offers (one sketch per range,
 * offered from the range's apply path).
 */
public final class SpaceSaving {
  /** Keys longer than this are tracked by a prefix and a hash. */
  public static final int DEFAULT_MAX_KEY_BYTES = 256;

  public static final int DEFAULT_CAPACITY = 64;
  /** A bound so that a misconfiguration cannot make a per-range sketch large. */
  public static final int MAX_CAPACITY = 65_536;

  private final int capacity;
  private final int maxKeyBytes;
  private final Map<TrackedKey, Counter> byKey;
  /** A min-heap on count; {@code heap[0]} is the counter a new key replaces. */
  private final Counter[] heap;

  private int size;
  private long totalWeight;

  /**
   * @param capacity counters, 1..65536
   * @param maxKeyBytes key bytes kept per counter, 1..4096
   */
  public SpaceSaving(int capacity, int maxKeyBytes) {
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "capacity must be in 1.." + MAX_CAPACITY + ", got " + capacity);
    }
    if (maxKeyBytes < 1 || maxKeyBytes > 4096) {
      throw new IllegalArgumentException("maxKeyBytes must be in 1..4096, got " + maxKeyBytes);
    }
    this.capacity = capacity;
    this.maxKeyBytes = maxKeyBytes;
    this.byKey = new HashMap<>(capacity * 2);
    this.heap = new Counter[capacity];
  }

  public static SpaceSaving withDefaults() {
    return new SpaceSaving(DEFAULT_CAPACITY, DEFAULT_MAX_KEY_BYTES);
  }

  /** What kind of operation an offer counts. */
  public enum Access {
    READ,
    /** Put, Delete or Cas. */
    WRITE,
    INCREMENT,
  }

  /**
   * A key as the sketch knows it: all of it, or its first bytes when it is longer than the sketch
   * keeps.
   *
   * @param bytes the key, or its first {@code maxKeyBytes} bytes
   * @param lengthBytes the length of the whole key
   * @param keyHash {@link KeyHash} of the whole key
   */
  public record TrackedKey(ByteString bytes, int lengthBytes, long keyHash) {
    public TrackedKey {
      Objects.requireNonNull(bytes, "bytes");
      if (bytes.size() > lengthBytes) {
        throw new IllegalArgumentException("a tracked key is never longer than the key");
      }
    }

    /** True if {@link #bytes()} is only the start of the key. */
    public boolean truncated() {
      return bytes.size() < lengthBytes;
    }
  }

  /**
   * One monitored key.
   *
   * @param count an upper bound of its weight
   * @param error how much {@code count} may overstate it: the true weight is at least {@code count
   *     - error}
   * @param reads weight of reads since it was admitted
   * @param writes weight of writes since it was admitted
   * @param increments weight of increments since it was admitted
   */
  public record Entry(TrackedKey key, long count, long error, long reads, long writes, long increments) {
    /** A lower bound of the key's weight. */
    public long guaranteed() {
      return count - error;
    }
  }

  /**
   * Counts {@code weight} for {@code key}.
   *
   * @throws IllegalArgumentException if the key is empty or the weight is not positive
   */
  public void offer(ByteString key, Access access, long weight) {
    Objects.requireNonNull(access, "access");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("key must not be empty");
    }
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be positive, got " + weight);
    }
    TrackedKey tracked = track(key);
    totalWeight = Math.addExact(totalWeight, weight);
    Counter counter = byKey.get(tracked);
    if (counter == null) {
      counter = admit(tracked);
    }
    counter.count = Math.addExact(counter.count, weight);
    switch (access) {
      case READ -> counter.reads += weight;
      case WRITE -> counter.writes += weight;
      case INCREMENT -> counter.increments += weight;
    }
    // A counter admitted at a leaf may now sit below its parent; a grown one above its children.
    siftUp(counter.heapIndex);
    siftDown(counter.heapIndex);
  }

  /** The {@code n} monitored keys with the highest counts, highest first (ties by fewer error). */
  public List<Entry> top(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative, got " + n);
    }
    List<Entry> entries = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      entries.add(heap[i].entry());
    }
    entries.sort(Comparator.comparingLong(Entry::count).reversed()
        .thenComparingLong(Entry::error)
        .thenComparing(e -> e.key().bytes(), ByteString.unsignedLexicographicalComparator()));
    return List.copyOf(entries.subList(0, Math.min(n, entries.size())));
  }

  /** The total weight offered since the last reset (scaled by {@link #decay}). */
  public long totalWeight() {
    return totalWeight;
  }

  /**
   * An upper bound of the weight of any key that is not monitored: the smallest count once every
   * counter is taken, 0 before.
   */
  public long unseenMax() {
    return size < capacity ? 0 : heap[0].count;
  }

  public int capacity() {
    return capacity;
  }

  public int size() {
    return size;
  }

  /** Forgets everything: the start of a new window. */
  public void reset() {
    byKey.clear();
    Arrays.fill(heap, 0, size, null);
    size = 0;
    totalWeight = 0;
  }

  /**
   * Multiplies every weight by {@code factor} (0..1, rounded down), so that older traffic counts
   * for less without losing the keys: an exponentially decaying window instead of {@link #reset}.
   * Counters that reach 0 are dropped.
   *
   * <p>Each split weight is rounded down and the error is then set to {@code count} minus their sum,
   * so the three still add up to {@code count - error}; the error grows by at most 3 and the bounds
   * stay bounds of the decayed weights, within that rounding.
   */
  public void decay(double factor) {
    if (!(factor >= 0 && factor <= 1)) {
      throw new IllegalArgumentException("factor must be in 0..1, got " + factor);
    }
    totalWeight = (long) Math.floor(totalWeight * factor);
    List<Counter> kept = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      Counter counter = heap[i];
      counter.count = (long) Math.floor(counter.count * factor);
      counter.reads = (long) Math.floor(counter.reads * factor);
      counter.writes = (long) Math.floor(counter.writes * factor);
      counter.increments = (long) Math.floor(counter.increments * factor);
      if (counter.count > 0) {
        long observed = counter.reads + counter.writes + counter.increments;
        counter.error = counter.count - Math.min(observed, counter.count);
        kept.add(counter);
      } else {
        byKey.remove(counter.key);
      }
    }
    // Rounding down keeps the heap order, but dropped counters leave holes: rebuild.
    Arrays.fill(heap, 0, size, null);
    size = 0;
    for (Counter counter : kept) {
      counter.heapIndex = size;
      heap[size++] = counter;
      siftUp(counter.heapIndex);
    }
  }

  private TrackedKey track(ByteString key) {
    ByteString kept = key.size() <= maxKeyBytes ? key : key.substring(0, maxKeyBytes);
    return new TrackedKey(kept, key.size(), KeyHash.of(key.toByteArray()));
  }

  private Counter admit(TrackedKey key) {
    if (size < capacity) {
      Counter counter = new Counter(key, 0, size);
      heap[size++] = counter;
      byKey.put(key, counter);
      return counter;
    }
    Counter evicted = heap[0];
    byKey.remove(evicted.key);
    // The newcomer inherits the evicted count as its possible overestimate.
    Counter counter = new Counter(key, evicted.count, 0);
    counter.count = evicted.count;
    heap[0] = counter;
    byKey.put(key, counter);
    return counter;
  }

  private void siftUp(int index) {
    Counter counter = heap[index];
    while (index > 0) {
      int parent = (index - 1) / 2;
      if (heap[parent].count <= counter.count) {
        break;
      }
      place(heap[parent], index);
      index = parent;
    }
    place(counter, index);
  }

  private void siftDown(int index) {
    Counter counter = heap[index];
    while (true) {
      int child = 2 * index + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && heap[child + 1].count < heap[child].count) {
        child++;
      }
      if (counter.count <= heap[child].count) {
        break;
      }
      place(heap[child], index);
      index = child;
    }
    place(counter, index);
  }

  private void place(Counter counter, int index) {
    heap[index] = counter;
    counter.heapIndex = index;
  }

  /** Checks the heap order and the map; for tests. */
  void checkInvariants() {
    if (byKey.size() != size) {
      throw new IllegalStateException("map holds " + byKey.size() + " keys, heap " + size);
    }
    long sum = 0;
    for (int i = 0; i < size; i++) {
      Counter counter = heap[i];
      sum += counter.count;
      if (counter.heapIndex != i || byKey.get(counter.key) != counter) {
        throw new IllegalStateException("counter " + i + " is misfiled");
      }
      if (i > 0 && heap[(i - 1) / 2].count > counter.count) {
        throw new IllegalStateException("heap order broken at " + i);
      }
      if (counter.reads + counter.writes + counter.increments != counter.count - counter.error) {
        throw new IllegalStateException("split weights do not add up at " + i);
      }
    }
    // Equal until the first decay, which rounds each count down on its own.
    if (sum > totalWeight) {
      throw new IllegalStateException("counts add up to " + sum + ", over " + totalWeight);
    }
  }

  private static final class Counter {
    final TrackedKey key;
    long error;
    long count;
    long reads;
    long writes;
    long increments;
    int heapIndex;

    Counter(TrackedKey key, long error, int heapIndex) {
      this.key = key;
      this.error = error;
      this.heapIndex = heapIndex;
    }

    Entry entry() {
      return new Entry(key, count, error, reads, writes, increments);
    }
  }
}
