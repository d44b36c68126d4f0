package pando.ycsb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import site.ycsb.ByteIterator;
import site.ycsb.DB;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

/** The YCSB binding against a real 3-node cluster from the packaged jar: every operation, and what it stored. */
class PandoDBIT {
  private static final String TABLE = "usertable";
  @TempDir static Path dir;
  private static LocalPando cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = LocalPando.start(Path.of(System.getProperty("pando.jar")), dir.resolve("cluster"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static DB connect() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("pando.pd", cluster.placementDriver());
    properties.setProperty("pando.timeout.ms", "20000");
    DB db = new PandoDB();
    db.setProperties(properties);
    db.init();
    return db;
  }

  private static Map<String, ByteIterator> fields(String... pairs) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      values.put(pairs[i], pairs[i + 1]);
    }
    return StringByteIterator.getByteIteratorMap(values);
  }

  private static Map<String, String> read(DB db, String key, Set<String> fields) {
    Map<String, ByteIterator> result = new HashMap<>();
    assertThat(db.read(TABLE, key, fields, result)).as("read " + key).isEqualTo(Status.OK);
    Map<String, String> strings = new HashMap<>();
    result.forEach((name, value) -> strings.put(name, new String(value.toArray(), StandardCharsets.UTF_8)));
    return strings;
  }

  @Test
  void insertReadUpdateAndDeleteRecords() throws Exception {
    DB db = connect();
    DB other = connect(); // a second YCSB thread: shares the routing client
    try {
      for (int i = 0; i < 20; i++) {
        assertThat(db.insert(TABLE, "user" + i, fields("field0", "a" + i, "field1", "b" + i, "field2", "c" + i)))
            .isEqualTo(Status.OK);
      }
      for (int i = 0; i < 20; i++) {
        assertThat(other.read(TABLE, "user" + i, null, new HashMap<>())).isEqualTo(Status.OK);
        assertThat(read(other, "user" + i, null)).isEqualTo(Map.of("field0", "a" + i, "field1", "b" + i, "field2", "c" + i));
      }
      assertThat(read(db, "user3", Set.of("field1", "missing"))).isEqualTo(Map.of("field1", "b3"));

      // An update replaces the given fields, keeps the others, and may add new ones.
      assertThat(db.update(TABLE, "user3", fields("field1", "B3", "field9", "new"))).isEqualTo(Status.OK);
      assertThat(read(other, "user3", null))
          .isEqualTo(Map.of("field0", "a3", "field1", "B3", "field2", "c3", "field9", "new"));
      assertThat(read(db, "user4", null)).containsEntry("field1", "b4");

      assertThat(db.delete(TABLE, "user3")).isEqualTo(Status.OK);
      assertThat(other.read(TABLE, "user3", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);
      assertThat(db.delete(TABLE, "user3")).isEqualTo(Status.NOT_FOUND);
      assertThat(db.update(TABLE, "user3", fields("field0", "x"))).isEqualTo(Status.NOT_FOUND);
      assertThat(db.read(TABLE, "never-inserted", null, new HashMap<>())).isEqualTo(Status.NOT_FOUND);

      assertThat(db.scan(TABLE, "user0", 10, null, new Vector<>())).isEqualTo(Status.NOT_IMPLEMENTED);
    } finally {
      db.cleanup();
      other.cleanup();
    }
  }
}
