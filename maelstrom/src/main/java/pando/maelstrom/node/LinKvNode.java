package pando.maelstrom.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import pando.maelstrom.protocol.NodeIo;

/**
 * A Maelstrom {@code lin-kv} node: a replica of one Raft group over a {@link MaelstromBus}, whose
 * peers are all the nodes named in {@code init}. Reads are answered by the leader while it holds its lease (unless started with the
 * unsafe {@code --unsafe-local-reads}), writes and cas are Raft log entries.
 *
 * <p>Run: {@code java -cp <classpath> pando.maelstrom.node.LinKvNode [--data-dir DIR]
 * [--deadline-ms N] [--unsafe-local-reads]}. Speaks Maelstrom's JSON lines on stdin/stdout; all
 * logging goes to stderr. Ends when stdin closes.
 */
public final class LinKvNode implements AutoCloseable {
  // Blocking Raft calls in flight, and requests waiting for one; more are refused with 11.
  private static final int RAFT_CALL_THREADS = 16;
  private static final int RAFT_CALL_QUEUE = 256;

  private final NodeOptions options;
  private final MaelstromBus bus;
  private final ThreadPoolExecutor raftCalls;
  private volatile RaftReplica replica;
  private volatile Path tempStorage;

  private LinKvNode(NodeIo io, NodeOptions options) {
    this.options = options;
    this.bus = new MaelstromBus(io);
    AtomicInteger n = new AtomicInteger();
    this.raftCalls = new ThreadPoolExecutor(RAFT_CALL_THREADS, RAFT_CALL_THREADS, 0,
        TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(RAFT_CALL_QUEUE), r -> {
          Thread t = new Thread(r, "lin-kv-raft-call-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    new LinKvHandlers(io, () -> replica, raftCalls, options.deadline(), options.unsafeLocalReads())
        .register();
    io.onInit(init -> replica = startReplica(init));
  }

  public static void main(String[] args) throws InterruptedException {
    // slf4j-simple's default, made explicit: stdout belongs to the Maelstrom protocol.
    System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    if (java.util.Arrays.asList(args).contains("--help")) {
      System.err.println(NodeOptions.USAGE);
      return;
    }
    NodeOptions options;
    try {
      options = NodeOptions.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    NodeIo io = NodeIo.stdio();
    try (LinKvNode node = new LinKvNode(io, options)) {
      io.run(); // until Maelstrom closes stdin
    }
  }

  private RaftReplica startReplica(NodeIo.Init init) {
    try {
      Path storage;
      if (options.dataBase() != null) {
        storage = Files.createDirectories(options.dataBase().resolve(init.nodeId()));
      } else {
        storage = Files.createTempDirectory("pando-maelstrom-" + init.nodeId() + "-");
        tempStorage = storage;
      }
      if (options.unsafeLocalReads()) {
        System.err.println("pando-maelstrom: " + init.nodeId() + " UNSAFE MODE --unsafe-local-reads:"
            + " reads are served from the local replica without ReadIndex and may be stale;"
            + " this node is NOT linearizable");
      }
      System.err.println("pando-maelstrom: " + init.nodeId() + " starting raft, peers "
          + init.nodeIds() + ", storage " + storage);
      return RaftReplica.start(bus, init.nodeId(), init.nodeIds(), storage);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // NodeIo answers init with crash
    }
  }

  @Override
  public void close() {
    raftCalls.shutdownNow();
    RaftReplica r = replica;
    if (r != null) {
      r.close();
    }
    bus.close();
    Path temp = tempStorage;
    if (temp != null) {
      deleteQuietly(temp); // nobody can restart from a directory nobody else knows
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("pando-maelstrom: could not delete " + dir + ": " + e);
    }
  }
}
