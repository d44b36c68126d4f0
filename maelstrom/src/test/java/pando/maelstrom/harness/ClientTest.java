package pando.maelstrom.harness;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import pando.maelstrom.check.Event;
import pando.maelstrom.check.History;
import pando.maelstrom.check.Kind;
import pando.maelstrom.protocol.Message;

class ClientTest {
  private static final Duration PATIENT = Duration.ofSeconds(5);
  private static final Duration IMPATIENT = Duration.ofMillis(150);

  private Network network;
  private final HistoryRecorder history = new HistoryRecorder(1000);
  private final ProcessIds processes = new ProcessIds();
  private final List<Message> requests = new CopyOnWriteArrayList<>();
  /** What the fake node answers each request with; null means it stays silent. */
  private volatile Function<Message, JsonObject> answer = m -> null;
  /** Whether the invocation was already in the history when the node saw each request. */
  private final List<Boolean> invokedBeforeSent = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    network = new Network(Network.Config.defaults(1), new Network.Observer() {});
    network.register("n1", new Network.Endpoint() {
      @Override
      public boolean deliver(Message m) {
        requests.add(m);
        List<Event> events = history.events();
        Event last = events.get(events.size() - 1);
        invokedBeforeSent.add(last.type() == Event.Type.INVOKE
            && ProcessIds.clientId(last.process()).equals(m.src()));
        JsonObject body = answer.apply(m);
        if (body != null) {
          body.addProperty("in_reply_to", m.msgId().getAsLong());
          network.send(new Message("n1", m.src(), body));
        }
        return true;
      }

      @Override
      public boolean isUp() {
        return true;
      }
    });
    network.start();
  }

  @AfterEach
  void tearDown() {
    network.close();
  }

  private static JsonObject ok(Message request) {
    JsonObject body = Message.newBody(request.type() + "_ok");
    if (request.type().equals("read")) {
      body.addProperty("value", 5);
    }
    return body;
  }

  private static Function<Message, JsonObject> error(int code) {
    return m -> {
      JsonObject body = Message.newBody("error");
      body.addProperty("code", code);
      body.addProperty("text", "because");
      return body;
    };
  }

  @Test
  void answersAreRecordedAsOkAfterTheInvocation() throws Exception {
    answer = ClientTest::ok;
    Client client = new Client(network, history, processes, PATIENT);

    Client.Completion w = client.write("n1", 3, 5);
    Client.Completion r = client.read("n1", 3);
    Client.Completion c = client.cas("n1", 3, 5, 6);

    assertThat(w.event()).isEqualTo(new Event(1, Event.Type.OK, Kind.WRITE, "3", 5L,
        w.event().timeNanos()));
    assertThat(r.event().type()).isEqualTo(Event.Type.OK);
    assertThat(r.event().value()).isEqualTo(5L);
    assertThat(c.event().value()).isEqualTo(new Event.Cas(5, 6));
    assertThat(history.events()).extracting(Event::type).containsExactly(
        Event.Type.INVOKE, Event.Type.OK, Event.Type.INVOKE, Event.Type.OK,
        Event.Type.INVOKE, Event.Type.OK);
    assertThat(history.events()).extracting(Event::timeNanos).isSorted();
    assertThat(invokedBeforeSent).containsExactly(true, true, true);
    assertThat(requests).extracting(Message::toString).containsExactly(
        "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"write\",\"key\":3,\"value\":5,\"msg_id\":1}}",
        "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"read\",\"key\":3,\"msg_id\":2}}",
        "{\"src\":\"c1\",\"dest\":\"n1\",\"body\":{\"type\":\"cas\",\"key\":3,\"from\":5,\"to\":6,\"msg_id\":3}}");
    assertThat(client.process()).isEqualTo(1);
    History.fromEvents(history.events()); // well formed
  }

  @ParameterizedTest(name = "error {0}")
  @ValueSource(ints = {1, 10, 11, 12, 14, 20, 21, 22})
  void definiteErrorsAreFailAndTheProcessGoesOn(int code) throws Exception {
    answer = error(code);
    Client client = new Client(network, history, processes, PATIENT);

    Client.Completion c = client.cas("n1", 0, 1, 2);

    assertThat(c.event().type()).isEqualTo(Event.Type.FAIL);
    assertThat(c.detail()).contains("error " + code, "because");
    assertThat(client.process()).isEqualTo(1);
  }

  @Test
  void aReadOfAMissingKeyIsAnOkReadOfNothing() throws Exception {
    answer = error(20);
    Client client = new Client(network, history, processes, PATIENT);

    Client.Completion r = client.read("n1", 0);

    assertThat(r.event().type()).isEqualTo(Event.Type.OK);
    assertThat(r.event().value()).isNull();
  }

  @ParameterizedTest(name = "error {0}")
  @ValueSource(ints = {0, 13, 1000})
  void indefiniteErrorsAreInfoAndTheClientBecomesANewProcess(int code) throws Exception {
    answer = error(code);
    Client client = new Client(network, history, processes, PATIENT);

    Client.Completion w = client.write("n1", 0, 1);
    answer = ClientTest::ok;
    Client.Completion r = client.read("n1", 0);

    assertThat(w.event().type()).isEqualTo(Event.Type.INFO);
    assertThat(w.event().process()).isEqualTo(1);
    assertThat(r.event().type()).isEqualTo(Event.Type.OK);
    assertThat(r.event().process()).isEqualTo(2);
    assertThat(requests).extracting(Message::src).containsExactly("c1", "c2");
    assertThat(client.id()).isEqualTo("c2");
  }

  @Test
  void unexpectedRepliesAreInfo() throws Exception {
    answer = m -> Message.newBody("write_ok"); // to a read
    Client client = new Client(network, history, processes, PATIENT);

    assertThat(client.read("n1", 0).event().type()).isEqualTo(Event.Type.INFO);

    answer = m -> {
      JsonObject body = Message.newBody("read_ok");
      body.addProperty("value", "five");
      return body;
    };
    assertThat(client.read("n1", 0).event().type()).isEqualTo(Event.Type.INFO);
    assertThat(client.process()).isEqualTo(3);
  }

  @Test
  void silenceIsInfoAfterTheTimeoutAndALateReplyIsIgnored() throws Exception {
    Client client = new Client(network, history, processes, IMPATIENT);

    long start = System.nanoTime();
    Client.Completion lost = client.write("n1", 0, 1);
    long waitedMillis = (System.nanoTime() - start) / 1_000_000;
    // The node answers the first request only now, after the client gave up on it.
    Message first = requests.get(0);
    JsonObject late = Message.newBody("write_ok");
    late.addProperty("in_reply_to", first.msgId().getAsLong());
    network.send(new Message("n1", first.src(), late));
    answer = ClientTest::ok;
    Client.Completion next = client.read("n1", 0);

    assertThat(lost.event().type()).isEqualTo(Event.Type.INFO);
    assertThat(lost.detail()).contains("no reply");
    assertThat(waitedMillis).isGreaterThanOrEqualTo(IMPATIENT.toMillis());
    assertThat(next.event().type()).isEqualTo(Event.Type.OK);
    assertThat(next.event().process()).isEqualTo(2);
    assertThat(network.awaitQuiescent(PATIENT)).isTrue();
    assertThat(network.stats().dropped()).containsEntry(Network.DropReason.UNKNOWN_DESTINATION, 1L);
    assertThat(history.events()).hasSize(4);
    History.fromEvents(history.events());
  }

  @Test
  void clientsShareOneClockAndDistinctProcesses() throws Exception {
    answer = ClientTest::ok;
    Client a = new Client(network, history, processes, PATIENT);
    Client b = new Client(network, history, processes, PATIENT);

    a.write("n1", 0, 1);
    b.read("n1", 0);

    assertThat(List.of(a.process(), b.process())).containsExactly(1, 2);
    assertThat(history.events()).extracting(Event::timeNanos).isSorted();
    a.close();
    b.close();
  }
}
