package pando.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import pando.api.pd.PdConnection;
import pando.v1.AdminGrpc;
import pando.v1.GetKeyHeatmapRequest;
import pando.v1.ListHotKeysRequest;
import pando.v1.ListNodesRequest;
import pando.v1.ListOperatorsRequest;
import pando.v1.ListRangesRequest;
import pando.v1.StatusRequest;

/**
 * The web console a PD replica serves next to its metrics: a read-only page ({@code /}) that shows
 * the nodes, ranges, operators, hot keys and a key heatmap. The page's data comes from this PD's
 * Admin API, asked like any other client asks it, as JSON at {@code /api/cluster} and {@code
 * /api/heatmap} (protobuf's JSON mapping of the Admin API's answers, so the page reads the fields
 * docs/api.md and the .proto describe). The page and its chart library are served from the jar.
 */
final class Console {
  private static final Duration ADMIN_DEADLINE = Duration.ofSeconds(3);
  /** Path → classpath resource and content type. */
  private static final Map<String, String[]> STATIC = Map.of(
      "/", new String[] {"/pando/console/index.html", "text/html; charset=utf-8"},
      "/console.js", new String[] {"/pando/console/console.js", "text/javascript; charset=utf-8"},
      "/console.css", new String[] {"/pando/console/console.css", "text/css; charset=utf-8"},
      "/uplot.js", new String[] {"/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.iife.min.js",
          "text/javascript; charset=utf-8"},
      "/uplot.css", new String[] {"/META-INF/resources/webjars/uplot/1.6.30/dist/uPlot.min.css",
          "text/css; charset=utf-8"});
  private static final JsonFormat.Printer JSON = JsonFormat.printer().includingDefaultValueFields()
      .preservingProtoFieldNames().omittingInsignificantWhitespace();

  private final PdConnection pd;

  /** A console over the Admin API at {@code pdAddress} (this PD replica's own). */
  Console(String pdAddress) {
    this.pd = new PdConnection(java.util.List.of(pdAddress));
  }

  /** Adds the console's pages and data to {@code server}. */
  void addTo(MetricsServer server) {
    server.route("/", this::answer);
  }

  private void answer(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      String path = exchange.getRequestURI().getPath();
      switch (path) {
        case "/api/cluster" -> json(exchange, this::cluster);
        case "/api/heatmap" -> json(exchange, () -> print(
            pd.call(c -> admin(c).getKeyHeatmap(GetKeyHeatmapRequest.getDefaultInstance()))));
        default -> resource(exchange, STATIC.get(path));
      }
    }
  }

  private String cluster() throws InvalidProtocolBufferException {
    JsonObject all = new JsonObject();
    all.add("status", parse(pd.call(c -> admin(c).status(StatusRequest.getDefaultInstance()))));
    all.add("nodes", parse(pd.call(c -> admin(c).listNodes(ListNodesRequest.getDefaultInstance()))));
    all.add("ranges", parse(pd.call(c -> admin(c).listRanges(ListRangesRequest.getDefaultInstance()))));
    all.add("operators", parse(pd.call(c -> admin(c).listOperators(ListOperatorsRequest.getDefaultInstance()))));
    all.add("hot_keys", parse(pd.call(c -> admin(c).listHotKeys(ListHotKeysRequest.getDefaultInstance()))));
    return all.toString();
  }

  private static AdminGrpc.AdminBlockingStub admin(io.grpc.Channel channel) {
    return AdminGrpc.newBlockingStub(channel).withDeadlineAfter(ADMIN_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static com.google.gson.JsonElement parse(MessageOrBuilder message) throws InvalidProtocolBufferException {
    return JsonParser.parseString(print(message));
  }

  private static String print(MessageOrBuilder message) throws InvalidProtocolBufferException {
    return JSON.print(message);
  }

  private interface JsonBody {
    String get() throws InvalidProtocolBufferException;
  }

  /** Answers with the body, or 503 and {@code {"error": ...}} if the Admin API refused or failed. */
  private static void json(HttpExchange exchange, JsonBody body) throws IOException {
    int code;
    String text;
    try {
      text = body.get();
      code = 200;
    } catch (StatusRuntimeException e) {
      JsonObject error = new JsonObject();
      error.addProperty("error", Errors.oneLine(e));
      text = error.toString();
      code = 503;
    } catch (InvalidProtocolBufferException e) {
      JsonObject error = new JsonObject();
      error.addProperty("error", "the placement driver's answer could not be shown as JSON: " + e.getMessage());
      text = error.toString();
      code = 500;
    }
    send(exchange, code, "application/json; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
  }

  private static void resource(HttpExchange exchange, String[] resource) throws IOException {
    if (resource == null) {
      send(exchange, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
      return;
    }
    try (InputStream in = Console.class.getResourceAsStream(resource[0])) {
      if (in == null) {
        throw new IOException("the jar lacks " + resource[0]);
      }
      send(exchange, 200, resource[1], in.readAllBytes());
    }
  }

  private static void send(HttpExchange exchange, int code, String type, byte[] body) throws IOException {
    // The page polls for fresh figures; nothing it gets may be served again from a cache.
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    MetricsServer.send(exchange, code, type, body);
  }

  void close() {
    pd.close();
  }
}
