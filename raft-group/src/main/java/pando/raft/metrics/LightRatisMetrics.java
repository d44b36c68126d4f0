package pando.raft.metrics;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.ratis.metrics.LongCounter;
import org.apache.ratis.metrics.MetricRegistries;
import org.apache.ratis.metrics.MetricRegistryInfo;
import org.apache.ratis.metrics.RatisMetricRegistry;
import org.apache.ratis.metrics.Timekeeper;
import org.apache.ratis.util.TimeDuration;

/**
 * Ratis's metrics, kept cheaply: a counter is a {@link LongAdder}, a timer a count and a total.
 *
 * <p>Ratis times every log write, flush, append and apply. Its default registry records each timing
 * in a Dropwizard histogram with an exponentially decaying reservoir (a concurrent skip list under a
 * lock), which on a busy 2-core machine cost several percent of a node's CPU for figures nothing
 * read. Loaded by Ratis through {@link java.util.ServiceLoader} (see {@code META-INF/services}).
 */
public final class LightRatisMetrics extends MetricRegistries {
  private final Map<MetricRegistryInfo, Registry> registries = new ConcurrentHashMap<>();
  // The same registries by member and component, so a scrape finds a replica's in one lookup.
  private final Map<String, Registry> byMember = new ConcurrentHashMap<>();
  private final List<Consumer<RatisMetricRegistry>> onAdd = new CopyOnWriteArrayList<>();

  /** The count and total time of one of Ratis's timers. */
  public record TimerTotals(long count, long totalNanos) {
    public static final TimerTotals NONE = new TimerTotals(0, 0);
  }

  /**
   * The totals of Ratis's timer {@code name} in the registry of {@code component} (such as {@code
   * log_worker}) for {@code member} (a {@code RaftGroupMemberId} as text); {@link TimerTotals#NONE}
   * if Ratis has not timed it here or loaded other metrics than these.
   */
  public static TimerTotals timer(String member, String component, String name) {
    if (!(MetricRegistries.global() instanceof LightRatisMetrics light)) {
      return TimerTotals.NONE;
    }
    Registry registry = light.byMember.get(memberKey(member, component));
    Timer timer = registry == null ? null : registry.timers.get(name);
    return timer == null ? TimerTotals.NONE : new TimerTotals(timer.count.sum(), timer.totalNanos.sum());
  }

  private static String memberKey(String member, String component) {
    return member + '/' + component;
  }

  @Override
  public void clear() {
    registries.clear();
    byMember.clear();
  }

  @Override
  public RatisMetricRegistry create(MetricRegistryInfo info) {
    return registries.computeIfAbsent(info, i -> {
      Registry created = new Registry(i);
      byMember.put(memberKey(i.getPrefix(), i.getMetricsComponentName()), created);
      onAdd.forEach(listener -> listener.accept(created));
      return created;
    });
  }

  @Override
  public boolean remove(MetricRegistryInfo key) {
    Registry removed = registries.remove(key);
    if (removed != null) {
      byMember.remove(memberKey(key.getPrefix(), key.getMetricsComponentName()), removed);
    }
    return removed != null;
  }

  @Override
  public Optional<RatisMetricRegistry> get(MetricRegistryInfo info) {
    return Optional.ofNullable(registries.get(info));
  }

  @Override
  public Set<MetricRegistryInfo> getMetricRegistryInfos() {
    return Set.copyOf(registries.keySet());
  }

  @Override
  public Collection<RatisMetricRegistry> getMetricRegistries() {
    return new ArrayList<>(registries.values());
  }

  @Override
  public void addReporterRegistration(Consumer<RatisMetricRegistry> reporterRegistration,
      Consumer<RatisMetricRegistry> stopReporter) {
    onAdd.add(reporterRegistration);
  }

  @Override
  public void removeReporterRegistration(Consumer<RatisMetricRegistry> reporterRegistration,
      Consumer<RatisMetricRegistry> stopReporter) {
    onAdd.remove(reporterRegistration);
  }

  @Override
  public void enableJmxReporter() {
    // Nothing reports these over JMX.
  }

  @Override
  public void enableConsoleReporter(TimeDuration consoleReportRate) {
    // Nothing prints these.
  }

  /** One component's metrics (a division's log, its server, its state machine). */
  static final class Registry implements RatisMetricRegistry {
    private final MetricRegistryInfo info;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Supplier<?>> gauges = new ConcurrentHashMap<>();

    Registry(MetricRegistryInfo info) {
      this.info = info;
    }

    @Override
    public Timekeeper timer(String name) {
      return timers.computeIfAbsent(name, n -> new Timer());
    }

    @Override
    public LongCounter counter(String name) {
      return counters.computeIfAbsent(name, n -> new Counter());
    }

    @Override
    public boolean remove(String name) {
      return timers.remove(name) != null | counters.remove(name) != null | gauges.remove(name) != null;
    }

    @Override
    public <T> void gauge(String name, Supplier<Supplier<T>> gaugeSupplier) {
      gauges.put(name, gaugeSupplier.get());
    }

    @Override
    public MetricRegistryInfo getMetricRegistryInfo() {
      return info;
    }
  }

  /** A count and a total duration; {@link Timekeeper.Context#stop} returns the nanoseconds measured. */
  static final class Timer implements Timekeeper {
    final LongAdder count = new LongAdder();
    final LongAdder totalNanos = new LongAdder();

    @Override
    public Context time() {
      long start = System.nanoTime();
      return () -> {
        long elapsed = System.nanoTime() - start;
        count.increment();
        totalNanos.add(elapsed);
        return elapsed;
      };
    }
  }

  static final class Counter implements LongCounter {
    private final LongAdder value = new LongAdder();

    @Override
    public void inc(long n) {
      value.add(n);
    }

    @Override
    public void dec(long n) {
      value.add(-n);
    }

    @Override
    public long getCount() {
      return value.sum();
    }
  }
}
