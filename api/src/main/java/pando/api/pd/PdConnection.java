package pando.api.pd;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Channels to the placement driver's replicas, and the rule for finding its leader: try the
 * replica that answered last, and on an answer that means "not here" (not the leader, unreachable,
 * too slow) try the next one, each at most once per call.
 *
 * <p>Only the PD leader answers heartbeats and Admin calls; any replica accepts registrations. The
 * caller sets deadlines on the stubs it builds from the channel it is handed.
 */
public final class PdConnection implements AutoCloseable {
  private static final Set<Status.Code> TRY_NEXT = Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED);

  /**
   * What a PD replica that does not lead says in its FAILED_PRECONDITION refusal. Only that refusal
   * sends a call to the next replica: any other FAILED_PRECONDITION is the leader's answer (a node
   * that still holds replicas, a hot key with other settings) and goes back to the caller as it is.
   */
  public static final String NOT_LEADER = "is not the PD leader";

  private final List<String> addresses;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private volatile int preferred;

  /** Addresses as {@code host:port}, at least one. */
  public PdConnection(List<String> addresses) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("at least one placement driver address is needed");
    }
    this.addresses = List.copyOf(addresses);
    for (String address : this.addresses) {
      channels.add(pando.api.KeepAlive.on(ManagedChannelBuilder.forTarget(address).usePlaintext()).build());
    }
  }

  /** Parses a comma-separated list such as {@code 127.0.0.1:7200,127.0.0.1:7210}. */
  public static List<String> parseAddresses(String text) {
    List<String> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String a = part.trim();
      int colon = a.lastIndexOf(':');
      if (colon < 1 || colon == a.length() - 1 || !a.substring(colon + 1).chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("placement driver address must look like host:port, got '" + a + "'");
      }
      out.add(a);
    }
    return out;
  }

  public List<String> addresses() {
    return addresses;
  }

  /**
   * Runs {@code call} against the replicas in turn, starting with the one that answered last,
   * until one answers or gives an error other than "try elsewhere"; that error, or the last one,
   * is thrown.
   */
  public <T> T call(Function<ManagedChannel, T> call) {
    int start = preferred;
    StatusRuntimeException last = null;
    for (int i = 0; i < channels.size(); i++) {
      int index = (start + i) % channels.size();
      try {
        T result = call.apply(channels.get(index));
        preferred = index;
        return result;
      } catch (StatusRuntimeException e) {
        pando.api.KeepAlive.reconnectSoonAfter(channels.get(index), e);
        if (!tryNext(e.getStatus())) {
          throw e;
        }
        last = e;
      }
    }
    throw Status.UNAVAILABLE
        .withDescription("no placement driver replica answered (" + String.join(", ", addresses)
            + "): " + last.getStatus().getDescription())
        .asRuntimeException();
  }

  private static boolean tryNext(Status status) {
    return TRY_NEXT.contains(status.getCode())
        || (status.getCode() == Status.Code.FAILED_PRECONDITION
            && String.valueOf(status.getDescription()).contains(NOT_LEADER));
  }

  @Override
  public void close() {
    for (ManagedChannel c : channels) {
      c.shutdownNow();
    }
    for (ManagedChannel c : channels) {
      try {
        c.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
