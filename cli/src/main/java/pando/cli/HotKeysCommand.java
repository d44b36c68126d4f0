package pando.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import pando.api.pd.PdConnection;
import pando.v1.AddHotKeyRequest;
import pando.v1.AddHotKeyResponse;
import pando.v1.AdminGrpc;
import pando.v1.HotKey;
import pando.v1.HotKeyInfo;
import pando.v1.HotKeyLoad;
import pando.v1.ListHotKeysRequest;
import pando.v1.ListHotKeysResponse;
import pando.v1.RemoveHotKeyRequest;
import pando.v1.RemoveHotKeyResponse;
import pando.v1.StatusRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code pando admin hotkeys}: the hot-key table, and pinning or unsalting a key. */
@Command(
    name = "hotkeys",
    mixinStandardHelpOptions = true,
    description = {"The hot-key table: every key served through salted copies, with its mode, salts, state,"
        + " origin and load, then the keys the placement driver sees as hot that are not in the table.",
        "Keys that are not printable text are shown as hex."},
    subcommands = {HotKeysCommand.Add.class, HotKeysCommand.Remove.class})
final class HotKeysCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin AdminCommand.PdOptions options;

  @Option(names = "--hex", description = "Show every key as hex.")
  boolean hex;

  @Override
  public Integer call() {
    ListHotKeysResponse r;
    try (PdConnection pd = options.connect()) {
      r = pd.call(c -> options.admin(c).listHotKeys(ListHotKeysRequest.getDefaultInstance()));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (options.json) {
      JsonObject o = new JsonObject();
      o.addProperty("table_version", r.getTableVersion());
      JsonArray keys = new JsonArray();
      r.getHotKeysList().forEach(info -> keys.add(json(info)));
      o.add("hot_keys", keys);
      out.println(new GsonBuilder().setPrettyPrinting().create().toJson(o));
    } else if (r.getHotKeysCount() == 0) {
      out.printf("no hot keys (table version %d)%n", r.getTableVersion());
    } else {
      out.printf("hot-key table version %d%n", r.getTableVersion());
      TextTable table = new TextTable("key", "mode", "salts", "state", "origin", "reads/s", "writes/s", "incr/s", "changed");
      for (HotKeyInfo info : r.getHotKeysList()) {
        HotKey hot = info.getHotKey();
        boolean loaded = info.hasLoad();
        table.row(Values.render(hot.getKey().toByteArray(), hex),
            modeName(hot.getMode()),
            hot.getSalts() == 0 ? "-" : String.valueOf(hot.getSalts()),
            info.getInTable() ? hot.getState().name() : "not in table",
            hot.getOrigin().name(),
            loaded ? rate(info.getLoad().getReadsPerSecond()) : "-",
            loaded ? rate(info.getLoad().getWritesPerSecond()) : "-",
            loaded ? rate(info.getLoad().getIncrementsPerSecond()) : "-",
            info.getInTable() ? info.getAgeMs() / 1000 + " s ago" : "-");
      }
      table.print(out);
    }
    out.flush();
    return 0;
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = {"Pins a key as hot: it enters the table SALTING and stays until it is removed.",
          "read: writes go to the key and every copy, reads to one copy; counter: each Incr goes to one copy,"
              + " reads sum them (Put, Delete and Cas are refused while it is salted).",
          "Adding a key again with the same settings changes nothing; to change them, remove it first."})
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminCommand.PdOptions options;
    @Mixin KeyInput key;

    @Option(names = "--salts", required = true, paramLabel = "S", description = "How many salted copies, 2..64.")
    int salts;

    @Option(names = "--mode", defaultValue = "read", paramLabel = "read|counter",
        description = "How the copies are used (default: ${DEFAULT-VALUE}).")
    String mode;

    @Override
    public Integer call() {
      AddHotKeyRequest request = AddHotKeyRequest.newBuilder()
          .setKey(key.bytes(spec))
          .setSalts(salts)
          .setMode(mode(spec, mode))
          .build();
      AddHotKeyResponse r;
      try (PdConnection pd = options.connect()) {
        r = onLeader(pd, options, admin -> admin.addHotKey(request));
      }
      print(spec, options, r.getHotKey(), r.getTableVersion());
      return 0;
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = {"Starts unsalting a key: its entry becomes UNSALTING and leaves the table once its copies"
          + " are emptied. Removing a key already UNSALTING changes nothing."})
  static final class Remove implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin AdminCommand.PdOptions options;
    @Mixin KeyInput key;

    @Override
    public Integer call() {
      RemoveHotKeyRequest request = RemoveHotKeyRequest.newBuilder().setKey(key.bytes(spec)).build();
      RemoveHotKeyResponse r;
      try (PdConnection pd = options.connect()) {
        r = onLeader(pd, options, admin -> admin.removeHotKey(request));
      }
      print(spec, options, r.getHotKey(), r.getTableVersion());
      return 0;
    }
  }

  /** A key given as UTF-8 text or as hex, exactly once. */
  static final class KeyInput {
    @Parameters(index = "0", arity = "0..1", paramLabel = "KEY", description = "The key as UTF-8 text.")
    String text;

    @Option(names = "--hex", paramLabel = "HEX", description = "The key as hex digits instead.")
    String hex;

    ByteString bytes(CommandSpec spec) {
      if ((text == null) == (hex == null)) {
        throw new ParameterException(spec.commandLine(), "give the key exactly once: as text or --hex HEX");
      }
      try {
        return ByteString.copyFrom(text != null ? Values.utf8(text) : Values.hex(hex));
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), "--hex: " + e.getMessage());
      }
    }
  }

  /**
   * Sends a change to the PD leader and lets its refusal through as it is. {@link PdConnection}
   * tries the next replica on FAILED_PRECONDITION, which a follower answers to mean "not the leader"
   * but the leader answers for a full table or a key being unsalted; that reason would be lost. So
   * the leader is found with a call only the leader answers, and the change is sent to it alone.
   */
  private static <T> T onLeader(PdConnection pd, AdminCommand.PdOptions options,
      Function<AdminGrpc.AdminBlockingStub, T> change) {
    return pd.call(channel -> {
      options.admin(channel).status(StatusRequest.getDefaultInstance());
      try {
        return change.apply(options.admin(channel));
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.FAILED_PRECONDITION) {
          throw new LeaderRefusal(e);
        }
        throw e;
      }
    });
  }

  /** The PD leader's refusal of a change, carried past {@link PdConnection}'s failover. */
  private static final class LeaderRefusal extends RuntimeException {
    LeaderRefusal(StatusRuntimeException refusal) {
      super(refusal.getMessage(), refusal);
    }
  }

  private static HotKey.Mode mode(CommandSpec spec, String name) {
    return switch (name) {
      case "read" -> HotKey.Mode.READ_HOT;
      case "counter" -> HotKey.Mode.WRITE_HOT_COUNTER;
      default -> throw new ParameterException(spec.commandLine(), "--mode must be read or counter, got '" + name + "'");
    };
  }

  /** One entry after a change: a line, or its JSON with --json. */
  private static void print(CommandSpec spec, AdminCommand.PdOptions options, HotKey hot, long tableVersion) {
    PrintWriter out = spec.commandLine().getOut();
    if (options.json) {
      JsonObject o = json(HotKeyInfo.newBuilder().setHotKey(hot).setInTable(true).build());
      // A change's answer carries no age; the listing has it.
      o.remove("age_ms");
      o.addProperty("table_version", tableVersion);
      out.println(new GsonBuilder().setPrettyPrinting().create().toJson(o));
    } else {
      out.printf("hot key %s: %s, %d salts, %s, %s (table version %d)%n", quoted(hot.getKey()),
          modeName(hot.getMode()), hot.getSalts(), hot.getState(), hot.getOrigin(), tableVersion);
    }
    out.flush();
  }

  private static JsonObject json(HotKeyInfo info) {
    HotKey hot = info.getHotKey();
    JsonObject o = new JsonObject();
    o.addProperty("key", Values.render(hot.getKey().toByteArray(), false));
    o.addProperty("key_hex", HexFormat.of().formatHex(hot.getKey().toByteArray()));
    o.addProperty("in_table", info.getInTable());
    o.addProperty("mode", hot.getMode().name());
    o.addProperty("salts", hot.getSalts());
    o.addProperty("state", hot.getState().name());
    o.addProperty("origin", hot.getOrigin().name());
    if (info.hasLoad()) {
      HotKeyLoad load = info.getLoad();
      o.addProperty("reads_per_second", load.getReadsPerSecond());
      o.addProperty("writes_per_second", load.getWritesPerSecond());
      o.addProperty("increments_per_second", load.getIncrementsPerSecond());
    }
    o.addProperty("age_ms", info.getAgeMs());
    return o;
  }

  /** The --mode name of a mode: read, counter, or "-" for none. */
  private static String modeName(HotKey.Mode mode) {
    return switch (mode) {
      case READ_HOT -> "read";
      case WRITE_HOT_COUNTER -> "counter";
      case MODE_UNSPECIFIED, UNRECOGNIZED -> "-";
    };
  }

  private static String quoted(ByteString key) {
    String shown = Values.render(key.toByteArray(), false);
    boolean text = !key.isEmpty() && shown.equals(key.toStringUtf8());
    return text ? "'" + shown + "'" : "0x" + shown;
  }

  private static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%.1f", perSecond);
  }
}
