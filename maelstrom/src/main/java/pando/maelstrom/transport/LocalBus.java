package pando.maelstrom.transport;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory {@link MessageBus} for tests, with the faults a harness injects: partitions between
 * sets of nodes and a random delay per message.
 *
 * <p>Guarantees: {@link Port#send} never blocks; at most {@code capacity} messages are in flight,
 * further ones are dropped; a message is dropped if a partition separates its ends when it is sent
 * or when it is due; without delay, messages between two nodes arrive in the order sent (with a
 * delay they may be reordered, as on a real network). One daemon thread delivers every message,
 * so receivers must not block. {@link #close()} stops delivery within a bounded time and drops
 * whatever is still in flight.
 */
public final class LocalBus implements MessageBus, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalBus.class);
  public static final int DEFAULT_CAPACITY = 10_000;
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
  static final String DELIVERER_THREAD = "local-bus-deliverer";

  private final int capacity;
  private final Map<String, Consumer<Envelope>> receivers = new ConcurrentHashMap<>();
  private final DelayQueue<InFlight> inFlight = new DelayQueue<>();
  private final AtomicInteger inFlightCount = new AtomicInteger();
  private final Partitions partitions = new Partitions();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Thread deliverer;
  private volatile DelayRange delay = new DelayRange(Duration.ZERO, Duration.ZERO);
  private volatile boolean closed;

  public LocalBus() {
    this(DEFAULT_CAPACITY);
  }

  /** A bus that holds at most {@code capacity} messages in flight and drops the excess. */
  public LocalBus(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    }
    this.capacity = capacity;
    this.deliverer = new Thread(this::deliverLoop, DELIVERER_THREAD);
    deliverer.setDaemon(true);
    deliverer.start();
  }

  @Override
  public Port attach(String nodeId, Consumer<Envelope> receiver) {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(receiver, "receiver");
    if (closed) {
      throw new IllegalStateException("the bus is closed");
    }
    if (receivers.putIfAbsent(nodeId, receiver) != null) {
      throw new IllegalStateException(nodeId + " is already attached");
    }
    return new LocalPort(nodeId, receiver);
  }

  /** Drops every message between a node of {@code a} and a node of {@code b}, both ways, until {@link #heal()}. */
  public void partition(Collection<String> a, Collection<String> b) {
    partitions.cut(a, b);
    LOG.info("event=partition a={} b={}", a, b);
  }

  /** Removes every partition. */
  public void heal() {
    partitions.heal();
    LOG.info("event=heal");
  }

  /** Delays each later message by a uniformly random time in {@code [min, max]}. */
  public void setDelay(Duration min, Duration max) {
    delay = new DelayRange(min, max);
  }

  /** Messages handed to a receiver so far. */
  public long delivered() {
    return delivered.get();
  }

  /** Messages dropped so far: partitioned, over capacity, to unknown nodes or after close. */
  public long dropped() {
    return dropped.get();
  }

  private void send(String src, String dest, byte[] payload) {
    if (closed || partitions.blocks(src, dest)) {
      dropped.incrementAndGet();
      return;
    }
    if (inFlightCount.incrementAndGet() > capacity) {
      inFlightCount.decrementAndGet();
      dropped.incrementAndGet();
      return;
    }
    long dueNanos = System.nanoTime() + delay.pick().toNanos();
    inFlight.add(new InFlight(new Envelope(src, dest, payload), dueNanos, sequence.getAndIncrement()));
  }

  private void deliverLoop() {
    while (!closed) {
      InFlight next;
      try {
        next = inFlight.take();
      } catch (InterruptedException e) {
        return; // closing
      }
      inFlightCount.decrementAndGet();
      deliver(next.envelope);
    }
  }

  private void deliver(Envelope envelope) {
    Consumer<Envelope> receiver = receivers.get(envelope.dest());
    // Checked again at delivery: a partition that started while the message was in flight loses it.
    if (closed || receiver == null || partitions.blocks(envelope.src(), envelope.dest())) {
      dropped.incrementAndGet();
      return;
    }
    try {
      receiver.accept(envelope);
      delivered.incrementAndGet();
    } catch (RuntimeException e) {
      // One faulty receiver must not stop delivery to the others.
      dropped.incrementAndGet();
      LOG.warn("event=receiver-failed dest={} error={}", envelope.dest(), e.toString());
    }
  }

  @Override
  public void close() {
    closed = true;
    deliverer.interrupt();
    try {
      deliverer.join(CLOSE_WAIT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    dropped.addAndGet(inFlight.size());
    inFlight.clear();
    receivers.clear();
  }

  private final class LocalPort implements Port {
    private final String nodeId;
    private final Consumer<Envelope> receiver;
    private volatile boolean portClosed;

    LocalPort(String nodeId, Consumer<Envelope> receiver) {
      this.nodeId = nodeId;
      this.receiver = receiver;
    }

    @Override
    public String nodeId() {
      return nodeId;
    }

    @Override
    public void send(String destNodeId, byte[] payload) {
      if (portClosed) {
        dropped.incrementAndGet();
        return;
      }
      LocalBus.this.send(nodeId, Objects.requireNonNull(destNodeId, "destNodeId"), Objects.requireNonNull(payload));
    }

    @Override
    public void close() {
      portClosed = true;
      receivers.remove(nodeId, receiver);
    }
  }

  private record DelayRange(Duration min, Duration max) {
    DelayRange {
      if (min.isNegative() || max.compareTo(min) < 0) {
        throw new IllegalArgumentException("delay must satisfy 0 <= min <= max, got " + min + ".." + max);
      }
    }

    Duration pick() {
      if (max.isZero()) {
        return Duration.ZERO;
      }
      long spread = max.toNanos() - min.toNanos();
      return min.plusNanos(spread == 0 ? 0 : ThreadLocalRandom.current().nextLong(spread + 1));
    }
  }

  /** A message waiting for its delivery time; equal times keep the order of sending. */
  private record InFlight(Envelope envelope, long dueNanos, long seq) implements Delayed {
    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      InFlight o = (InFlight) other;
      int byTime = Long.compare(dueNanos - o.dueNanos, 0);
      return byTime != 0 ? byTime : Long.compare(seq, o.seq);
    }
  }
}
