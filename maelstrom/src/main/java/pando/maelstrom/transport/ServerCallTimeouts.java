package pando.maelstrom.transport;

import java.time.Duration;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;

/**
 * How long a server waits for the reply to each kind of server-to-server call.
 *
 * <p>Ratis's default log appender sends one appendEntries at a time per follower and waits for its
 * reply, so a lost heartbeat stalls the next one until the deadline. Heartbeats therefore get a
 * third of the minimum election timeout: a lost one costs a retry, not an election. Votes get the
 * minimum election timeout, past which the election round is over anyway. Calls that carry
 * entries, snapshot chunks or read-index confirmations get Ratis's server request timeout, as they
 * may wait on the follower's disk.
 *
 * @param heartbeat appendEntries without entries
 * @param election requestVote and startLeaderElection
 * @param request appendEntries with entries, installSnapshot and readIndex
 */
record ServerCallTimeouts(Duration heartbeat, Duration election, Duration request) {
  private static final Duration FLOOR = Duration.ofMillis(10);

  static ServerCallTimeouts from(RaftProperties properties) {
    Duration electionMin = toDuration(RaftServerConfigKeys.Rpc.timeoutMin(properties));
    Duration request = toDuration(RaftServerConfigKeys.Rpc.requestTimeout(properties));
    return new ServerCallTimeouts(
        max(FLOOR, min(request, electionMin.dividedBy(3))),
        max(FLOOR, min(request, electionMin)),
        max(FLOOR, request));
  }

  Duration forAppendEntries(AppendEntriesRequestProto request) {
    return request.getEntriesCount() == 0 ? heartbeat : this.request;
  }

  static Duration toDuration(TimeDuration d) {
    return Duration.ofNanos(d.toLong(java.util.concurrent.TimeUnit.NANOSECONDS));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
