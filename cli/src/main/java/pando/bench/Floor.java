package pando.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * This machine's physical limits for a replicated write: the latency of a small durable write
 * (write 4 KiB, then fsync) on the data disk, and a loopback TCP round trip. A Raft write needs at
 * least one fsync on the leader and one on a follower, which overlap, plus a round trip from the
 * client and one to the follower, so {@code fsync + 2 x RTT} is the floor a write's latency is
 * compared with.
 *
 * @param fsync median of the durable 4 KiB writes
 * @param roundTrip median loopback round trip of one byte each way
 */
public record Floor(Duration fsync, Duration roundTrip) {
  private static final int WRITE_BYTES = 4096;

  /** {@code fsync + 2 x roundTrip}. */
  public Duration writeFloor() {
    return fsync.plus(roundTrip.multipliedBy(2));
  }

  /** How many floors a write with median {@code writeP50Millis} takes. */
  public double multipleOf(double writeP50Millis) {
    return writeP50Millis / (writeFloor().toNanos() / 1e6);
  }

  public String describe() {
    return String.format(Locale.ROOT, "fsync of 4 KiB p50 %.3f ms, loopback round trip p50 %.3f ms,"
        + " floor (fsync + 2 x RTT) %.3f ms", millis(fsync), millis(roundTrip), millis(writeFloor()));
  }

  public String json() {
    return String.format(Locale.ROOT, "{\"fsync_4k_p50_ms\":%.4f,\"loopback_rtt_p50_ms\":%.4f,\"write_floor_ms\":%.4f}",
        millis(fsync), millis(roundTrip), millis(writeFloor()));
  }

  private static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }

  /** Measures both on this machine; {@code dir} should be on the disk the data lives on. */
  public static Floor measure(Path dir, int samples) throws IOException {
    return new Floor(fsyncLatency(dir, samples), loopbackRoundTrip(samples));
  }

  static Duration fsyncLatency(Path dir, int samples) throws IOException {
    Path file = Files.createTempFile(dir, "pando-floor", ".bin");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ByteBuffer block = ByteBuffer.allocate(WRITE_BYTES);
      long[] nanos = new long[samples];
      for (int i = 0; i < samples; i++) {
        block.clear();
        long start = System.nanoTime();
        // Appends, like a log: each durable write extends the file.
        channel.write(block, (long) i * WRITE_BYTES);
        channel.force(true);
        nanos[i] = System.nanoTime() - start;
      }
      return median(nanos);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  static Duration loopbackRoundTrip(int samples) throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread echo = new Thread(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
          s.setTcpNoDelay(true);
          int b;
          while ((b = in.read()) >= 0) {
            out.write(b);
            out.flush();
          }
        } catch (IOException closed) {
          // the measuring side hung up
        }
      }, "floor-echo");
      echo.setDaemon(true);
      echo.start();
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
        client.setTcpNoDelay(true);
        client.setSoTimeout(5000);
        InputStream in = client.getInputStream();
        OutputStream out = client.getOutputStream();
        long[] nanos = new long[samples];
        for (int i = 0; i < samples; i++) {
          long start = System.nanoTime();
          out.write(1);
          out.flush();
          if (in.read() < 0) {
            throw new IOException("the echo side closed early");
          }
          nanos[i] = System.nanoTime() - start;
        }
        return median(nanos);
      }
    }
  }

  private static Duration median(long[] nanos) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return Duration.ofNanos(sorted[sorted.length / 2]);
  }
}
