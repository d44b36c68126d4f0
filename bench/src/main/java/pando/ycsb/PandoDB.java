package pando.ycsb;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.Vector;
import java.util.concurrent.atomic.AtomicBoolean;
import pando.client.CasResult;
import pando.client.KvClient;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * The YCSB binding: a record is one Pando value ({@link FieldCodec}) under the key
 * {@code <table>/<key>}, read and written through the routing client (straight to range leaders).
 *
 * <p>Properties: {@code pando.pd} (placement driver addresses, comma-separated; default
 * {@value #DEFAULT_PD}) and {@code pando.timeout.ms} (deadline of each request, retries included;
 * default 10000).
 *
 * <p>An update reads the record, merges the fields and writes it back with a compare-and-set, so
 * two concurrent updates of one record never lose each other's fields; it costs two round trips,
 * like the read-modify-write of other key-value bindings. Scans are not supported: keys are placed
 * by hash, so there is no key order to scan in.
 */
public final class PandoDB extends DB {
  public static final String PD_PROPERTY = "pando.pd";
  public static final String TIMEOUT_PROPERTY = "pando.timeout.ms";
  public static final String DEFAULT_PD = "127.0.0.1:7200";
  static final long DEFAULT_TIMEOUT_MS = 10_000;
  /** Compare-and-set attempts of one update before it reports a conflict. */
  static final int UPDATE_ATTEMPTS_MAX = 8;

  // Each of these is printed once per process: YCSB counts the statuses, this says why.
  private static final AtomicBoolean SCAN_EXPLAINED = new AtomicBoolean();
  private static final AtomicBoolean ERROR_SHOWN = new AtomicBoolean();

  private SharedClients.Settings settings;
  private KvClient client;

  @Override
  public void init() throws DBException {
    try {
      settings = settings(getProperties());
    } catch (IllegalArgumentException e) {
      throw new DBException(e.getMessage());
    }
    client = SharedClients.acquire(settings);
  }

  static SharedClients.Settings settings(Properties properties) {
    List<String> pd = Arrays.stream(properties.getProperty(PD_PROPERTY, DEFAULT_PD).split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (pd.isEmpty()) {
      throw new IllegalArgumentException(PD_PROPERTY + " names no placement driver address");
    }
    String timeout = properties.getProperty(TIMEOUT_PROPERTY, String.valueOf(DEFAULT_TIMEOUT_MS));
    long timeoutMs;
    try {
      timeoutMs = Long.parseLong(timeout.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(TIMEOUT_PROPERTY + " must be a number of milliseconds, got '" + timeout + "'");
    }
    if (timeoutMs <= 0) {
      throw new IllegalArgumentException(TIMEOUT_PROPERTY + " must be positive, got " + timeoutMs);
    }
    return new SharedClients.Settings(pd, Duration.ofMillis(timeoutMs));
  }

  @Override
  public void cleanup() {
    if (client != null) {
      client = null;
      SharedClients.release(settings);
    }
  }

  @Override
  public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      Optional<byte[]> value = client.get(key(table, key));
      if (value.isEmpty()) {
        return Status.NOT_FOUND;
      }
      for (Map.Entry<String, byte[]> field : FieldCodec.decode(value.get()).entrySet()) {
        if (fields == null || fields.contains(field.getKey())) {
          result.put(field.getKey(), new ByteArrayByteIterator(field.getValue()));
        }
      }
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("read", e);
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      client.put(key(table, key), FieldCodec.encode(bytes(values)));
      return Status.OK;
    } catch (RuntimeException e) {
      return failed("insert", e);
    }
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    try {
      byte[] k = key(table, key);
      Map<String, byte[]> changes = bytes(values);
      Optional<byte[]> current = client.get(k);
      for (int attempt = 0; attempt < UPDATE_ATTEMPTS_MAX; attempt++) {
        if (current.isEmpty()) {
          return Status.NOT_FOUND;
        }
        CasResult result = client.cas(k, current, FieldCodec.merge(current.get(), changes));
        if (result.succeeded()) {
          return Status.OK;
        }
        current = result.current(); // someone wrote in between: merge into what is there now
      }
      return failed("update", new IllegalStateException("record " + key + " changed under "
          + UPDATE_ATTEMPTS_MAX + " compare-and-set attempts in a row"));
    } catch (RuntimeException e) {
      return failed("update", e);
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      return client.delete(key(table, key)) ? Status.OK : Status.NOT_FOUND;
    } catch (RuntimeException e) {
      return failed("delete", e);
    }
  }

  @Override
  public Status scan(String table, String startKey, int recordCount, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    if (SCAN_EXPLAINED.compareAndSet(false, true)) {
      System.err.println("pando: scan is not implemented: keys are placed by hash, so Pando keeps no key"
          + " order to scan; use workloads without scans (A, B, C, D, F)");
    }
    return Status.NOT_IMPLEMENTED;
  }

  static byte[] key(String table, String key) {
    return (table + "/" + key).getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, byte[]> bytes(Map<String, ByteIterator> values) {
    Map<String, byte[]> out = new HashMap<>(values.size() * 2);
    values.forEach((name, value) -> out.put(name, value.toArray()));
    return out;
  }

  private static Status failed(String op, RuntimeException e) {
    if (ERROR_SHOWN.compareAndSet(false, true)) {
      System.err.println("pando: first failed " + op + ": " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return Status.ERROR;
  }
}
