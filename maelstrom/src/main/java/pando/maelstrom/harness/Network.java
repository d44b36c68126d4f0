package pando.maelstrom.harness;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import pando.maelstrom.protocol.MalformedMessageException;
import pando.maelstrom.protocol.Message;
import pando.maelstrom.protocol.MessageCodec;

/**
 * Routes messages between endpoints (node processes and clients) by {@code dest}, applying the
 * faults a real network has: partitions, delays, and loss of messages to or from nodes that are
 * paused or dead.
 *
 * <p>Rules, checked when a message is sent and again when it is due (a partition or crash also cuts
 * messages already in flight):
 *
 * <ul>
 *   <li>an unknown {@code dest} drops the message;
 *   <li>a source or destination that is not {@linkplain Endpoint#isUp() up} (paused, killed) drops
 *       it: a killed node's messages are lost, and a paused node neither sends nor takes delivery;
 *   <li>a link cut by {@link #partition} drops it, in both directions; clients are only affected if
 *       named in a partition, as in Maelstrom, where the nemesis partitions nodes;
 *   <li>otherwise it is delivered after a delay drawn uniformly from {@link #delay}'s range with
 *       the seeded random generator, so a given sequence of sends gets the same delays.
 * </ul>
 *
 * <p><b>Ordering:</b> a single scheduler thread delivers messages in order of due time, ties in
 * send order. With no delay that is send order. With a delay range, messages on one link may be
 * <em>reordered</em>, as on Maelstrom's own network, unless {@link Config#fifoLinks()} is set, in
 * which case a message is never due before an earlier one on the same link.
 *
 * <p>Bounded: at most {@link Config#capacity()} messages are in flight; more are dropped.
 * Endpoints' {@link Endpoint#deliver} runs on the scheduler thread and must not block.
 */
public final class Network implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Network.class.getName());
  /** When the FIFO bookkeeping grows past this many links, entries that no longer matter go. */
  private static final int FIFO_PRUNE_THRESHOLD = 4096;

  /** Something messages can be delivered to. */
  public interface Endpoint {
    /**
     * Hands over a message, without blocking.
     *
     * @return false if the endpoint could not take it (for example its input queue is full)
     */
    boolean deliver(Message m);

    /** Whether the endpoint can currently send and receive; false while paused or dead. */
    boolean isUp();
  }

  /** Why a message was not delivered. */
  public enum DropReason {
    UNKNOWN_DESTINATION,
    SOURCE_DOWN,
    DESTINATION_DOWN,
    PARTITIONED,
    QUEUE_FULL,
    /** The endpoint's {@link Endpoint#deliver} returned false. */
    REJECTED,
    /** In flight when the network closed, or sent after. */
    CLOSED
  }

  /**
   * Sees every routing decision. Calls come from senders and the scheduler thread concurrently,
   * outside the network's lock (so an observer may log or count, but must not block); for a message
   * with no delay, {@code delivered} may even be seen before {@code sent}.
   */
  public interface Observer {
    /** A message was accepted and will be due after {@code delay}. */
    default void sent(Message m, Duration delay) {}

    default void delivered(Message m) {}

    default void dropped(Message m, DropReason reason) {}

    /** A line from {@code from} was not a valid message. */
    default void malformed(String from, String line, String problem) {}
  }

  /**
   * @param seed seeds the delay generator
   * @param capacity most messages in flight at once
   * @param fifoLinks whether delays keep per-link order
   */
  public record Config(long seed, int capacity, boolean fifoLinks) {
    public Config {
      if (capacity < 1) {
        throw new IllegalArgumentException("capacity must be positive: " + capacity);
      }
    }

    /** 100,000 messages in flight, reordering allowed. */
    public static Config defaults(long seed) {
      return new Config(seed, 100_000, false);
    }
  }

  /** Counts since the network was created. */
  public record Stats(long sent, long delivered, Map<DropReason, Long> dropped, long malformed,
      int inFlight) {
    public Stats {
      dropped = Collections.unmodifiableMap(new EnumMap<>(dropped));
    }

    /** Messages dropped for any reason. */
    public long droppedTotal() {
      return dropped.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private record Link(String from, String to) {}

  private record InFlight(long dueNanos, long seq, Message message) {}

  private final Config config;
  private final Observer observer;
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();
  /** Cut links; replaced, never mutated, so the scheduler reads it without the lock. */
  private volatile Set<Link> cut = Set.of();

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Condition quiet = lock.newCondition();
  // Guarded by lock:
  private final PriorityQueue<InFlight> queue = new PriorityQueue<>((a, b) ->
      a.dueNanos != b.dueNanos ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.seq, b.seq));
  private final Map<Link, Long> lastDue = new HashMap<>();
  private final Random random;
  private long nextSeq;
  private long minDelayNanos;
  private long maxDelayNanos;
  private int delivering;
  private boolean closed;

  private long sentCount;
  private long deliveredCount;
  private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
  private long malformedCount;

  private final Thread scheduler;

  public Network(Config config, Observer observer) {
    this.config = Objects.requireNonNull(config, "config");
    this.observer = Objects.requireNonNull(observer, "observer");
    this.random = new Random(config.seed());
    this.scheduler = new Thread(this::deliverLoop, "network-scheduler");
    scheduler.setDaemon(true);
  }

  /** Starts the scheduler thread. */
  public void start() {
    scheduler.start();
  }

  /** Makes {@code id} reachable, replacing any endpoint registered under it. */
  public void register(String id, Endpoint endpoint) {
    endpoints.put(Objects.requireNonNull(id, "id"), Objects.requireNonNull(endpoint, "endpoint"));
  }

  /** Forgets {@code id} if it is still bound to {@code endpoint}; later messages to it drop. */
  public void unregister(String id, Endpoint endpoint) {
    endpoints.remove(id, endpoint);
  }

  /**
   * Parses a line a node wrote and sends it. Lines that are not messages, or whose {@code src} is
   * not {@code from} (a node may not speak for another), are reported and dropped.
   */
  public void receiveLine(String from, String line) {
    Message m;
    try {
      m = MessageCodec.parse(line);
    } catch (MalformedMessageException e) {
      malformed(from, line, e.getMessage());
      return;
    }
    if (!m.src().equals(from)) {
      malformed(from, line, "src is " + m.src() + " but the line came from " + from);
      return;
    }
    send(m);
  }

  /**
   * Routes a message.
   *
   * @return whether it was accepted for delivery; it may still be dropped when due
   */
  public boolean send(Message m) {
    DropReason reason = check(m);
    if (reason != null) {
      drop(m, reason);
      return false;
    }
    long delay;
    lock.lock();
    try {
      if (closed) {
        reason = DropReason.CLOSED;
      } else if (queue.size() >= config.capacity()) {
        reason = DropReason.QUEUE_FULL;
      }
      if (reason != null) {
        delay = 0;
      } else {
        delay = drawDelay();
        long due = System.nanoTime() + delay;
        if (config.fifoLinks()) {
          due = fifoDue(new Link(m.src(), m.dest()), due);
        }
        queue.add(new InFlight(due, nextSeq++, m));
        sentCount++;
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (reason != null) {
      drop(m, reason);
      return false;
    }
    observer.sent(m, Duration.ofNanos(delay));
    return true;
  }

  /**
   * Cuts every link between a node of {@code sideA} and one of {@code sideB}, both ways, in
   * addition to links already cut. Ids in neither side keep all their links (a bridge).
   */
  public void partition(Set<String> sideA, Set<String> sideB) {
    if (!Collections.disjoint(sideA, sideB)) {
      throw new IllegalArgumentException("sides overlap: " + sideA + " and " + sideB);
    }
    lock.lock();
    try {
      Set<Link> next = new HashSet<>(cut);
      for (String a : sideA) {
        for (String b : sideB) {
          next.add(new Link(a, b));
          next.add(new Link(b, a));
        }
      }
      cut = Set.copyOf(next);
    } finally {
      lock.unlock();
    }
  }

  /** Restores every cut link. */
  public void heal() {
    cut = Set.of();
  }

  /** Whether messages from {@code from} to {@code to} are currently dropped by a partition. */
  public boolean isCut(String from, String to) {
    return cut.contains(new Link(from, to));
  }

  /** Delays every later message by a uniformly drawn time in {@code [min, max]}. */
  public void delay(Duration min, Duration max) {
    if (min.isNegative() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("need 0 <= min <= max, got " + min + ", " + max);
    }
    lock.lock();
    try {
      minDelayNanos = min.toNanos();
      maxDelayNanos = max.toNanos();
    } finally {
      lock.unlock();
    }
  }

  /** Removes the delay: later messages are due at once. */
  public void clearDelay() {
    delay(Duration.ZERO, Duration.ZERO);
  }

  /** Waits until no message is in flight or being delivered; true if that happened in time. */
  public boolean awaitQuiescent(Duration timeout) throws InterruptedException {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (!queue.isEmpty() || delivering > 0) { // bounded by the timeout
        if (remaining <= 0) {
          return false;
        }
        remaining = quiet.awaitNanos(remaining);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** A snapshot of the counters. */
  public Stats stats() {
    Map<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
    for (DropReason r : DropReason.values()) {
      dropped.put(r, drops.get(r.ordinal()));
    }
    lock.lock();
    try {
      return new Stats(sentCount, deliveredCount, dropped, malformedCount, queue.size());
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops the scheduler (waiting for it at most 5 s) and drops the messages still in flight. If
   * interrupted, it stops waiting; the interrupt status is kept.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (scheduler.isAlive()) {
      try {
        scheduler.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    lock.lock();
    try {
      for (InFlight f = queue.poll(); f != null; f = queue.poll()) {
        drop(f.message(), DropReason.CLOSED);
      }
      quiet.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- internals

  /** The reason to drop {@code m} now, or null if it may go on. */
  private DropReason check(Message m) {
    Endpoint dest = endpoints.get(m.dest());
    if (dest == null) {
      return DropReason.UNKNOWN_DESTINATION;
    }
    Endpoint src = endpoints.get(m.src());
    if (src != null && !src.isUp()) {
      return DropReason.SOURCE_DOWN;
    }
    if (!dest.isUp()) {
      return DropReason.DESTINATION_DOWN;
    }
    if (cut.contains(new Link(m.src(), m.dest()))) {
      return DropReason.PARTITIONED;
    }
    return null;
  }

  /** Called with the lock held. */
  private long drawDelay() {
    if (maxDelayNanos == 0) {
      return 0; // no draw, so adding a zero delay does not shift later seeded draws
    }
    return minDelayNanos == maxDelayNanos
        ? minDelayNanos
        : random.nextLong(minDelayNanos, maxDelayNanos + 1);
  }

  /** Called with the lock held: a due time no earlier than the link's previous one. */
  private long fifoDue(Link link, long due) {
    Long previous = lastDue.get(link);
    long result = previous == null ? due : Math.max(due, previous);
    if (lastDue.size() >= FIFO_PRUNE_THRESHOLD) {
      long now = System.nanoTime();
      // A link whose last message is already due constrains nothing any more.
      lastDue.values().removeIf(d -> d - now <= 0);
    }
    lastDue.put(link, result);
    return result;
  }

  private void deliverLoop() {
    while (true) { // ends when closed; every wait is bounded by a due time or a signal
      InFlight next;
      lock.lock();
      try {
        while (true) {
          if (closed) {
            return;
          }
          InFlight head = queue.peek();
          long now = System.nanoTime();
          if (head != null && head.dueNanos() - now <= 0) {
            next = queue.poll();
            delivering++;
            break;
          }
          if (head == null) {
            quiet.signalAll();
            changed.await(1, TimeUnit.SECONDS);
          } else {
            changed.awaitNanos(head.dueNanos() - now);
          }
        }
      } catch (InterruptedException e) {
        LOG.log(Level.WARNING, "network scheduler interrupted; stopping");
        return;
      } finally {
        lock.unlock();
      }
      try {
        deliver(next.message());
      } finally {
        lock.lock();
        try {
          delivering--;
          if (queue.isEmpty() && delivering == 0) {
            quiet.signalAll();
          }
        } finally {
          lock.unlock();
        }
      }
    }
  }

  private void deliver(Message m) {
    DropReason reason = check(m);
    if (reason != null) {
      drop(m, reason);
      return;
    }
    Endpoint dest = endpoints.get(m.dest());
    if (dest == null) { // unregistered since the check
      drop(m, DropReason.UNKNOWN_DESTINATION);
      return;
    }
    boolean accepted;
    try {
      accepted = dest.deliver(m);
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "endpoint " + m.dest() + " failed to take a message", e);
      accepted = false;
    }
    if (!accepted) {
      drop(m, DropReason.REJECTED);
      return;
    }
    lock.lock();
    try {
      deliveredCount++;
    } finally {
      lock.unlock();
    }
    observer.delivered(m);
  }

  private void drop(Message m, DropReason reason) {
    drops.incrementAndGet(reason.ordinal());
    observer.dropped(m, reason);
  }

  private void malformed(String from, String line, String problem) {
    lock.lock();
    try {
      malformedCount++;
    } finally {
      lock.unlock();
    }
    observer.malformed(from, line, problem);
  }
}
