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

  private final MeterRegistry registry;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Counter bytesIn;
  private final Counter bytesOut;

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
            timer(shortName(service), method, status.getCode()).record(System.nanoTime() - start,
                java.util.concurrent.TimeUnit.NANOSECONDS);
            super.close(status, trailers);
          }
        }, headers);
      }
    };
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
