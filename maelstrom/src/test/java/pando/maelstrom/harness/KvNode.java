package pando.maelstrom.harness;

import com.google.gson.JsonObject;
import java.util.HashMap;
import java.util.Map;
import pando.maelstrom.protocol.ErrorCode;
import pando.maelstrom.protocol.MaelstromException;
import pando.maelstrom.protocol.Message;
import pando.maelstrom.protocol.NodeIo;

/** A single-node, in-memory lin-kv node on {@link NodeIo}: trivially linearizable. */
public final class KvNode {
  private final Map<Long, Long> data = new HashMap<>();

  private KvNode() {}

  public static void main(String[] args) throws InterruptedException {
    NodeIo io = NodeIo.stdio();
    KvNode kv = new KvNode();
    io.on("read", r -> {
      JsonObject ok = Message.newBody("read_ok");
      ok.addProperty("value", kv.read(r.requireLong("key")));
      io.reply(r, ok);
    });
    io.on("write", r -> {
      kv.write(r.requireLong("key"), r.requireLong("value"));
      io.reply(r, Message.newBody("write_ok"));
    });
    io.on("cas", r -> {
      kv.cas(r.requireLong("key"), r.requireLong("from"), r.requireLong("to"));
      io.reply(r, Message.newBody("cas_ok"));
    });
    io.run();
  }

  private synchronized long read(long key) {
    Long v = data.get(key);
    if (v == null) {
      throw new MaelstromException(ErrorCode.KEY_DOES_NOT_EXIST, "no key " + key);
    }
    return v;
  }

  private synchronized void write(long key, long value) {
    data.put(key, value);
  }

  private synchronized void cas(long key, long from, long to) {
    Long v = data.get(key);
    if (v == null) {
      throw new MaelstromException(ErrorCode.KEY_DOES_NOT_EXIST, "no key " + key);
    }
    if (v != from) {
      throw new MaelstromException(ErrorCode.PRECONDITION_FAILED, "expected " + from + ", had " + v);
    }
    data.put(key, to);
  }
}
