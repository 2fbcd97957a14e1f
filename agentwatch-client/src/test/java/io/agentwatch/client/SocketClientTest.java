package io.agentwatch.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The client against a scripted WebSocket peer: acks, reconnects, refusals, rejections and commands. */
class SocketClientTest {

  private ScriptedSocketServer server;
  private AgentwatchClient client;
  private final List<String> heard = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = ScriptedSocketServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    if (client != null) {
      client.close(Duration.ZERO);
    }
    server.close();
  }

  private AgentwatchClient.Builder builder() {
    return AgentwatchClient.builder(server.httpUri()).apiKey("aw_test").agentId("worker-1")
        .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .httpFallback(false)
        .listener(new ClientListener() {
          @Override
          public void rejected(String id, String type, String error) {
            heard.add("rejected " + id + " " + error);
          }
        });
  }

  private static List<String> ids(JsonNode publish) {
    List<String> ids = new ArrayList<>();
    publish.path("events").forEach(e -> ids.add(e.path("id").asString()));
    return ids;
  }

  @Test
  void theClientSaysHelloAndAnEventIsStoredOnlyOnceAcked() throws Exception {
    server.answer = frame -> List.of();
    client = builder().build().start();
    assertThat(server.next(10).path("op").asString()).isEqualTo("hello");

    Emission e = client.emit("task.started", Map.of("taskId", "t1"));
    JsonNode publish = server.next("publish", 10);
    assertThat(ids(publish)).containsExactly(e.id());
    assertThat(publish.path("events").get(0).path("agentId").asString()).isEqualTo("worker-1");
    Thread.sleep(100);
    assertThat(e.stored()).as("no ack yet").isNotDone();
    assertThat(client.stats().buffered()).isEqualTo(1);

    server.send(ScriptedSocketServer.ackAll(publish).get(0));
    e.stored().get(10, TimeUnit.SECONDS);
    assertThat(client.stats().buffered()).isZero();
    assertThat(client.stats().acked()).isEqualTo(1);
    assertThat(client.stats().transport()).isEqualTo(Transport.WEBSOCKET);
  }

  @Test
  void unackedEventsAreSentAgainInOrderAfterTheConnectionDrops() throws Exception {
    server.answer = frame -> List.of();
    client = builder().build().start();
    server.next("hello", 10);
    List<Emission> emitted = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      emitted.add(client.emit("log", Map.of("level", "info", "message", "line " + i)));
    }
    List<String> firstTry = new ArrayList<>();
    while (firstTry.size() < 3) {
      firstTry.addAll(ids(server.next("publish", 10)));
    }

    server.answer = ScriptedSocketServer::ackAll;
    server.dropConnections();

    assertThat(server.next(10).path("op").asString()).as("hello again on the new connection").isEqualTo("hello");
    List<String> secondTry = new ArrayList<>();
    while (secondTry.size() < 3) {
      secondTry.addAll(ids(server.next("publish", 10)));
    }
    assertThat(secondTry).containsExactlyElementsOf(firstTry)
        .containsExactlyElementsOf(emitted.stream().map(Emission::id).toList());
    for (Emission e : emitted) {
      e.stored().get(10, TimeUnit.SECONDS);
    }
    assertThat(client.stats().connects()).isEqualTo(2);
  }

  @Test
  void aRefusedPublishIsRetriedBeforeAnythingEmittedAfterIt() throws Exception {
    int[] refusals = {2};
    server.answer = frame -> {
      if (!"publish".equals(frame.path("op").asString())) {
        return List.of();
      }
      if (refusals[0]-- > 0) {
        return List.of(Map.of("op", "error", "status", 503, "error", "busy", "ref", frame.path("ref").asString()));
      }
      return ScriptedSocketServer.ackAll(frame);
    };
    client = builder().linger(Duration.ZERO).build().start();
    server.next("hello", 10);
    Emission first = client.emit("task.created", Map.of("taskId", "t1"));
    assertThat(ids(server.next("publish", 10))).containsExactly(first.id());
    Emission second = client.emit("task.assigned", Map.of("taskId", "t1", "assignee", "w"));

    List<String> sent = new ArrayList<>();
    while (!sent.contains(second.id())) {
      sent.addAll(ids(server.next("publish", 10)));
    }
    assertThat(sent.indexOf(first.id())).isLessThan(sent.indexOf(second.id()));
    first.stored().get(10, TimeUnit.SECONDS);
    second.stored().get(10, TimeUnit.SECONDS);
  }

  @Test
  void anEventTheServerRejectsIsReportedAndNotSentAgain() throws Exception {
    server.answer = frame -> {
      if (!"publish".equals(frame.path("op").asString())) {
        return List.of();
      }
      JsonNode bad = frame.path("events").get(0);
      return List.of(Map.of("op", "ack", "ref", frame.path("ref").asString(), "ids", List.of(), "duplicates",
          List.of(), "rejected", List.of(Map.of("index", 0, "id", bad.path("id").asString(),
              "error", "data.secret is not allowed"))));
    };
    client = builder().build().start();
    Emission e = client.emit("custom.thing", Map.of("secret", "x"));

    assertThatThrownBy(() -> e.stored().get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(EventNotStoredException.class).hasMessageContaining("data.secret is not allowed");
    assertThat(heard).containsExactly("rejected " + e.id() + " data.secret is not allowed");
    assertThat(client.stats().rejected()).isEqualTo(1);
    assertThat(client.stats().buffered()).isZero();
  }

  @Test
  void aCommandFrameReachesTheHandlerAndIsAcknowledgedAsAnEvent() throws Exception {
    List<Command> commands = new CopyOnWriteArrayList<>();
    client = builder().onCommand(command -> {
      commands.add(command);
      return command.type().equals("pause") ? CommandOutcome.done() : CommandOutcome.rejected("not supported");
    }).build().start();
    server.next("hello", 10);

    server.send(Map.of("op", "command", "command", Map.of("id", "cmd-1", "type", "pause", "reason", "too costly")));
    JsonNode ack = server.next("publish", 10).path("events").get(0);

    assertThat(commands).hasSize(1);
    assertThat(commands.get(0).reason()).isEqualTo("too costly");
    assertThat(ack.path("type").asString()).isEqualTo("command.acknowledged");
    assertThat(ack.path("parentId").asString()).isEqualTo("cmd-1");
    assertThat(ack.path("agentId").asString()).isEqualTo("worker-1");
    assertThat(ack.path("data").path("commandId").asString()).isEqualTo("cmd-1");
    assertThat(ack.path("data").path("type").asString()).isEqualTo("pause");
    assertThat(ack.path("data").path("outcome").asString()).isEqualTo("applied");

    server.send(Map.of("op", "command", "command", Map.of("id", "cmd-2", "type", "teleport")));
    JsonNode rejected = server.next("publish", 10).path("events").get(0);
    assertThat(rejected.path("data").path("outcome").asString()).isEqualTo("rejected");
    assertThat(rejected.path("data").path("reason").asString()).isEqualTo("not supported");
  }

  @Test
  void aRefusedHandshakeLeavesEventsBufferedAndTheSocketIsTriedAgain() throws Exception {
    server.refuseHandshakeWith = 403;
    client = builder().build().start();
    Emission e = client.emit("task.created", Map.of("taskId", "t1"));
    TestWait.until("the socket is tried again", 10, () -> server.handshakes >= 3);
    assertThat(e.stored()).isNotDone();

    server.refuseHandshakeWith = 0;
    e.stored().get(10, TimeUnit.SECONDS);
    assertThat(client.stats().transport()).isEqualTo(Transport.WEBSOCKET);
  }

  @Test
  void closingFlushesWhatIsBufferedAndThenRefusesNewEvents() throws Exception {
    client = builder().build().start();
    List<Emission> emitted = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      emitted.add(client.emit("metric", Map.of("name", "load", "value", i)));
    }
    assertThat(client.close(Duration.ofSeconds(10))).isTrue();
    for (Emission e : emitted) {
      assertThat(e.stored()).isCompleted();
    }
    assertThat(client.emit("metric", Map.of("name", "load", "value", 1)).status()).isEqualTo(Emission.Status.CLOSED);
  }
}
