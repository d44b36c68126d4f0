package pando.pd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import pando.testing.Await;
import pando.api.LoopbackPorts;
import pando.v1.AddHotKeyRequest;
import pando.v1.AddHotKeyResponse;
import pando.v1.AdminGrpc;
import pando.v1.GetHotKeysRequest;
import pando.v1.HeartbeatRequest;
import pando.v1.HotKey;
import pando.v1.HotKeyInfo;
import pando.v1.HotKeysResponse;
import pando.v1.ListHotKeysRequest;
import pando.v1.PlacementDriverGrpc;
import pando.v1.RegisterNodeRequest;
import pando.v1.RemoveHotKeyRequest;
import pando.v1.RemoveHotKeyResponse;

/**
 * The hot-key RPCs of one placement-driver replica over real gRPC: what operators, nodes and clients
 * get back, and the status code of each refusal. Each test uses keys of its own, so they share one
 * PD and compare table versions before and after.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HotKeysAdminTest {
  private PdServer pd;
  private ManagedChannel channel;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    PdPeer self = new PdPeer("pd1", "127.0.0.1", LoopbackPorts.next());
    pd = PdServer.start(PdConfig.of("pd1", "127.0.0.1", 0, List.of(self), dir.resolve("pd1")));
    Await.until(Duration.ofSeconds(30), "the PD leads its group", pd::isLeader);
    channel = ManagedChannelBuilder.forTarget("127.0.0.1:" + pd.apiPort()).usePlaintext().build();
  }

  @AfterAll
  void stop() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (pd != null) {
      pd.close();
    }
  }

  private AdminGrpc.AdminBlockingStub admin() {
    return AdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private PlacementDriverGrpc.PlacementDriverBlockingStub placementDriver() {
    return PlacementDriverGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static ByteString key(String text) {
    return ByteString.copyFromUtf8(text);
  }

  private AddHotKeyResponse add(String key, int salts, HotKey.Mode mode) {
    return admin().addHotKey(AddHotKeyRequest.newBuilder().setKey(key(key)).setSalts(salts).setMode(mode).build());
  }

  private RemoveHotKeyResponse remove(String key) {
    return admin().removeHotKey(RemoveHotKeyRequest.newBuilder().setKey(key(key)).build());
  }

  private long version() {
    return placementDriver().getHotKeys(GetHotKeysRequest.getDefaultInstance()).getVersion();
  }

  private static HotKey entry(String key, int salts, HotKey.Mode mode, HotKey.State state) {
    return HotKey.newBuilder().setKey(key(key)).setMode(mode).setSalts(salts).setState(state)
        .setOrigin(HotKey.Origin.PINNED).build();
  }

  @Test
  void aPinnedKeyIsServedToNodesClientsAndOperators() {
    long before = version();

    AddHotKeyResponse added = add("user:42", 4, HotKey.Mode.READ_HOT);

    HotKey expected = entry("user:42", 4, HotKey.Mode.READ_HOT, HotKey.State.SALTING);
    assertThat(added.getHotKey()).isEqualTo(expected);
    assertThat(added.getTableVersion()).isEqualTo(before + 1);
    HotKeysResponse table = placementDriver().getHotKeys(GetHotKeysRequest.getDefaultInstance());
    assertThat(table.getVersion()).isEqualTo(added.getTableVersion());
    assertThat(table.getEntriesList()).contains(expected);
    assertThat(admin().listHotKeys(ListHotKeysRequest.getDefaultInstance()).getHotKeysList())
        .filteredOn(info -> info.getHotKey().getKey().equals(key("user:42")))
        .singleElement()
        .satisfies(info -> {
          assertThat(info.getHotKey()).isEqualTo(expected);
          assertThat(info.getInTable()).isTrue();
          assertThat(info.hasLoad()).as("no load reports yet").isFalse();
          assertThat(info.getAgeMs()).isBetween(0L, 60_000L);
        });
  }

  @Test
  void aHeartbeatAnswerCarriesTheHotKeyTableVersion() {
    placementDriver().registerNode(RegisterNodeRequest.newBuilder().setRequestedId("n1")
        .setApiAddress("127.0.0.1:9001").setRaftAddress("127.0.0.1:9101").build());
    long added = add("heartbeat-key", 2, HotKey.Mode.WRITE_HOT_COUNTER).getTableVersion();

    long answered = placementDriver().heartbeat(HeartbeatRequest.newBuilder().setNodeId("n1").build())
        .getHotKeyTableVersion();

    assertThat(answered).isGreaterThanOrEqualTo(added).isEqualTo(version());
  }

  @Test
  void addingAgainWithTheSameSettingsChangesNothing() {
    AddHotKeyResponse first = add("same", 8, HotKey.Mode.WRITE_HOT_COUNTER);

    AddHotKeyResponse again = add("same", 8, HotKey.Mode.WRITE_HOT_COUNTER);

    assertThat(again).isEqualTo(first);
    assertThat(version()).isEqualTo(first.getTableVersion());
  }

  @Test
  void addingAgainWithOtherSettingsIsRefusedWithWhatToDo() {
    add("settled", 4, HotKey.Mode.READ_HOT);
    long before = version();

    assertThatThrownBy(() -> add("settled", 16, HotKey.Mode.READ_HOT))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).isEqualTo("hot key 'settled' is already READ_HOT with 4 salts,"
              + " SALTING, PINNED; to change its mode or salts, remove it ('pando admin hotkeys remove'),"
              + " then add it again once it has left the table");
        });
    assertThat(version()).isEqualTo(before);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "''        | 4  | READ_HOT          | key must not be empty",
      "long      | 4  | READ_HOT          | only keys of up to 4089 bytes can be salted",
      "k         | 1  | READ_HOT          | salts must be in 2..64, got 1",
      "k         | 65 | WRITE_HOT_COUNTER | salts must be in 2..64, got 65",
      "k         | 4  | MODE_UNSPECIFIED  | mode must be READ_HOT or WRITE_HOT_COUNTER, got MODE_UNSPECIFIED"})
  void aBadRequestIsAnInvalidArgumentAndChangesNothing(String key, int salts, HotKey.Mode mode, String message) {
    long before = version();
    String name = key.equals("long") ? "x".repeat(4090) : key;

    assertThatThrownBy(() -> add(name, salts, mode))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).contains(message);
        });
    assertThat(version()).isEqualTo(before);
  }

  @Test
  void anUnknownModeNumberIsAnInvalidArgument() {
    assertThatThrownBy(() -> admin().addHotKey(
            AddHotKeyRequest.newBuilder().setKey(key("k")).setSalts(4).setModeValue(9).build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).endsWith("got the unknown value 9");
        });
  }

  @Test
  void removingAKeyStartsUnsaltingItOnceAndBlocksAddingItBack() {
    AddHotKeyResponse added = add("cooling", 4, HotKey.Mode.READ_HOT);

    RemoveHotKeyResponse removed = remove("cooling");
    RemoveHotKeyResponse again = remove("cooling");

    assertThat(removed.getHotKey()).isEqualTo(entry("cooling", 4, HotKey.Mode.READ_HOT, HotKey.State.UNSALTING));
    assertThat(removed.getTableVersion()).isEqualTo(added.getTableVersion() + 1);
    assertThat(again).isEqualTo(removed);
    assertThat(placementDriver().getHotKeys(GetHotKeysRequest.getDefaultInstance()).getEntriesList())
        .contains(removed.getHotKey());
    assertThatThrownBy(() -> add("cooling", 4, HotKey.Mode.READ_HOT))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
          assertThat(e.getStatus().getDescription()).startsWith("hot key 'cooling' is being unsalted");
        });
  }

  @Test
  void removingAKeyThatIsNotInTheTableIsNotFound() {
    assertThatThrownBy(() -> remove("never-added"))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription())
              .isEqualTo("no hot key 'never-added' in the table; 'pando admin hotkeys' lists them");
        });
  }

  @Test
  void theListingShowsTheTableSortedByKey() {
    add("list-b", 2, HotKey.Mode.READ_HOT);
    add("list-a", 2, HotKey.Mode.READ_HOT);

    List<HotKeyInfo> listed = admin().listHotKeys(ListHotKeysRequest.getDefaultInstance()).getHotKeysList();

    List<String> keys = listed.stream().map(info -> info.getHotKey().getKey().toStringUtf8()).toList();
    assertThat(keys).containsSubsequence("list-a", "list-b").isSorted();
  }
}
