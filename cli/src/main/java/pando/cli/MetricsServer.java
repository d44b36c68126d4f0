package pando.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import pando.metrics.Refreshable;

/**
 * Serves a process's meters at {@code http://host:port/metrics} in the Prometheus text format
 * (Micrometer's Prometheus registry writes it), with the JVM's own (heap, GC, threads, CPU, open
 * files) and the free space of the data directory's disk. Two threads (a slow console page does
 * not hold up a scrape); each scrape first refreshes the meters that are read from state. Other
 * pages can be added ({@link #route}).
 */
final class MetricsServer implements AutoCloseable {
  private static final int HTTP_THREADS = 2;
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private HttpServer http;
  private ExecutorService thread;

  /** A registry with the JVM's meters and the disk of {@code dataDir}; serve it with {@link #serve}. */
  MetricsServer(Path dataDir) {
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new DiskSpaceMetrics(dataDir.toAbsolutePath().toFile()).bindTo(registry);
  }

  PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Starts answering scrapes on {@code host:port}; {@code refreshed} is called before each. */
  MetricsServer serve(String host, int port, Supplier<Refreshable> refreshed) throws IOException {
    http = HttpServer.create(new InetSocketAddress(host, port), 16);
    thread = Executors.newFixedThreadPool(HTTP_THREADS, r -> {
      Thread t = new Thread(r, "metrics-http");
      t.setDaemon(true);
      return t;
    });
    http.setExecutor(thread);
    http.createContext("/metrics", exchange -> answer(exchange, refreshed));
    http.start();
    return this;
  }

  /** Serves {@code handler} under {@code path} (the longest matching path wins); after {@link #serve}. */
  void route(String path, com.sun.net.httpserver.HttpHandler handler) {
    http.createContext(path, handler);
  }

  private void answer(HttpExchange exchange, Supplier<Refreshable> refreshed) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      Refreshable meters = refreshed.get();
      if (meters != null) {
        meters.refresh();
      }
      send(exchange, 200, CONTENT_TYPE, registry.scrape().getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Answers with {@code body} as {@code contentType}; headers set before stay. */
  static void send(HttpExchange exchange, int code, String contentType, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(code, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
      thread.shutdownNow();
    }
    gc.close();
    registry.close();
  }
}
