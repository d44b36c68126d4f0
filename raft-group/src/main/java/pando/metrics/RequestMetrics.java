package pando.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The requests a gRPC server answers, by method and status code, with their latency, and the bytes
 * it receives and sends. One instance per server; its {@link #interceptor} and {@link #bytes}
 * go on the server builder.
 *
 * <p>Meters: {@code pando_requests_seconds} (a histogram with fixed buckets from 0.5 ms to 10 s,
 * labels {@code service}, {@code method}, {@code code}: its {@code _count} is the number of
 * requests) and {@code pando_network_bytes_total} (label {@code direction}: {@code in} or {@code
 * out}). Labels stay few: methods and codes are fixed sets.
 */
public final class RequestMetrics {
  /** Bucket bounds of the latency histogram: enough resolution for sub-millisecond reads and for timeouts. */
  private static final Duration[] BUCKETS = {
      Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5),
      Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100),
      Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
      Duration.ofSeconds(5), Duration.ofSeconds(10)};

  /** The service whose requests are users' reads and writes (the others are nodes' and operators'). */
  private static final String DATA_SERVICE = "KV";

  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Counter bytesIn;
  private final Counter bytesOut;
  // Data requests' latencies since the previous drain, in microseconds (a heartbeat reports them).
  private final org.HdrHistogram.Recorder dataLatencyMicros = new org.HdrHistogram.Recorder(2);
  private long drainedAtNanos = System.nanoTime();

  public RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.bytesIn = Counter.builder("pando.network").baseUnit("bytes").tag("direction", "in")
        .description("Bytes of gRPC messages received, as sent on the wire").register(registry);
    this.bytesOut = Counter.builder("pando.network").baseUnit("bytes").tag("direction", "out")
        .description("Bytes of gRPC messages sent, as sent on the wire").register(registry);
  }

  /** Times every call and records how it ended. */
  public ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
          ServerCallHandler<Q, A> next) {
        long start = System.nanoTime();
        String service = call.getMethodDescriptor().getServiceName();
        String method = call.getMethodDescriptor().getBareMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            long elapsed = System.nanoTime() - start;
            String name = shortName(service);
            timer(name, method, status.getCode()).record(elapsed, java.util.concurrent.TimeUnit.NANOSECONDS);
            if (DATA_SERVICE.equals(name)) {
              dataLatencyMicros.recordValue(Math.max(0, elapsed / 1_000));
            }
            super.close(status, trailers);
          }
        }, headers);
      }
    };
  }

  /** Data requests answered over an interval: how many per second and their 99th percentile. */
  public record DataLoad(double requestsPerSecond, double p99LatencyMillis) {}

  /** The data requests answered since the previous call (or since this was made). */
  public synchronized DataLoad drainDataLoad() {
    long now = System.nanoTime();
    org.HdrHistogram.Histogram interval = dataLatencyMicros.getIntervalHistogram();
    double seconds = Math.max(1e-3, (now - drainedAtNanos) / 1e9);
    drainedAtNanos = now;
    long count = interval.getTotalCount();
    return new DataLoad(count / seconds, count == 0 ? 0 : interval.getValueAtPercentile(99) / 1_000.0);
  }

  /** Counts the bytes of every call's messages. */
  public ServerStreamTracer.Factory bytes() {
    return new ServerStreamTracer.Factory() {
      @Override
      public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        return new ServerStreamTracer() {
          @Override
          public void inboundWireSize(long bytes) {
            bytesIn.increment(bytes);
          }

          @Override
          public void outboundWireSize(long bytes) {
            bytesOut.increment(bytes);
          }
        };
      }
    };
  }

  private Timer timer(String service, String method, Status.Code code) {
    return timers.computeIfAbsent(service + '/' + method + '/' + code, k -> Timer.builder("pando.requests")
        .description("gRPC requests answered, by service, method and status code")
        .tag("service", service)
        .tag("method", method)
        .tag("code", code.name())
        .serviceLevelObjectives(BUCKETS)
        .register(registry));
  }

  /** {@code pando.v1.KV} becomes {@code KV}: the package is the same for every service. */
  static String shortName(String service) {
    return service == null ? "unknown" : service.substring(service.lastIndexOf('.') + 1);
  }
}
