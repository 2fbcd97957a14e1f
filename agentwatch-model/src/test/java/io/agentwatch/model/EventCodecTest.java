package io.agentwatch.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class EventCodecTest {

  private static final Instant RECEIVED = Instant.parse("2026-11-28T16:00:01.5Z");

  private static JsonNode json(String text) {
    return EventCodec.JSON.readTree(text);
  }

  private static Event fullEvent() {
    return EventCodec.decode(json("{\"id\":\"e-1\",\"type\":\"task.progress\",\"agentId\":\"worker-1\","
        + "\"runId\":\"run-42\",\"ts\":\"2026-11-28T17:00:00.5+01:00\",\"parentId\":\"e-0\",\"target\":\"worker-2\","
        + "\"data\":{\"taskId\":\"t1\",\"percent\":40,\"note\":\"a \\\"quoted\\\" line\\nand ü\"}}"));
  }

  private static StoredEvent stored(String tenant, Event event) {
    return StoredEvent.appended(tenant, event, EventCodec.encodeEnvelope(event), 0, 7, Cursor.at("store1", 7),
        RECEIVED);
  }

  @Test
  void decodeReadsEveryEnvelopeField() {
    Event e = fullEvent();

    assertThat(e.id()).isEqualTo("e-1");
    assertThat(e.type()).isEqualTo("task.progress");
    assertThat(e.agentId()).isEqualTo("worker-1");
    assertThat(e.runId()).isEqualTo("run-42");
    assertThat(e.ts()).isEqualTo(Instant.parse("2026-11-28T16:00:00.5Z"));
    assertThat(e.parentId()).isEqualTo("e-0");
    assertThat(e.target()).isEqualTo("worker-2");
    assertThat(e.data().get("percent").intValue()).isEqualTo(40);
  }

  @Test
  void optionalFieldsAbsentOrNullDecodeAsNullAndAMissingDataAsEmpty() {
    Event e = EventCodec.decode(json("{\"id\":\"a\",\"type\":\"x.y\",\"agentId\":\"w\",\"runId\":null,"
        + "\"ts\":\"2026-11-28T16:00:00Z\"}"));

    assertThat(e.runId()).isNull();
    assertThat(e.parentId()).isNull();
    assertThat(e.target()).isNull();
    assertThat(e.data().isEmpty()).isTrue();
  }

  @Test
  void decodeThrowsWithEveryProblem() {
    assertThatThrownBy(() -> EventCodec.decode(json("{\"type\":\"task.started\",\"ts\":\"x\"}")))
        .isInstanceOfSatisfying(InvalidEventException.class, e -> {
          assertThat(e.problems()).extracting(Problem::path).containsExactlyInAnyOrder("id", "agentId", "ts",
              "data.taskId");
          assertThat(e.getMessage()).contains("id is required").contains("; ").contains("data.taskId is required");
        });
    assertThatThrownBy(() -> EventCodec.decode(null)).isInstanceOf(InvalidEventException.class)
        .hasMessage("must be a JSON object");
  }

  @Test
  void decodeMeasuresTheDataSize() {
    String blob = "x".repeat(EventValidator.MAX_DATA_BYTES);
    assertThatThrownBy(() -> EventCodec.decode(json("{\"id\":\"a\",\"type\":\"x.y\",\"agentId\":\"w\","
        + "\"ts\":\"2026-11-28T16:00:00Z\",\"data\":{\"b\":\"" + blob + "\"}}")))
        .isInstanceOfSatisfying(InvalidEventException.class, e ->
            assertThat(e.problems()).containsExactly(new Problem("data",
                "must be at most 102400 bytes serialized but was 102408")));
  }

  @Test
  void encodeThenDecodeGivesTheSameEvent() {
    Event e = fullEvent();
    String encoded = EventCodec.encodeEnvelope(e);

    assertThat(EventCodec.decode(json(encoded))).isEqualTo(e);
    assertThat(EventCodec.decodeTrusted(encoded)).isEqualTo(e);
  }

  @Test
  void theEnvelopeHoldsOnlyTheProducersFieldsWithTsInUtc() {
    Event e = EventCodec.decode(json("{\"id\":\"a\",\"type\":\"x.y\",\"agentId\":\"w\",\"cursor\":\"aw1.x.1\","
        + "\"tenant\":\"evil\",\"ts\":\"2026-11-28T17:00:00+01:00\",\"data\":{\"k\":1}}"));

    assertThat(EventCodec.encodeEnvelope(e))
        .isEqualTo("{\"id\":\"a\",\"type\":\"x.y\",\"agentId\":\"w\",\"ts\":\"2026-11-28T16:00:00Z\",\"data\":{\"k\":1}}");
  }

  @Test
  void encodedEnvelopesRoundTripForRandomContent() {
    long seed = Long.getLong("agentwatch.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int i = 0; i < 200; i++) {
      ObjectNode data = EventCodec.JSON.createObjectNode();
      int fields = random.nextInt(5);
      for (int f = 0; f < fields; f++) {
        switch (random.nextInt(4)) {
          case 0 -> data.put(randomText(random, 8), randomText(random, 30));
          case 1 -> data.put(randomText(random, 8), random.nextLong());
          case 2 -> data.put(randomText(random, 8), random.nextDouble() * 1e6);
          default -> data.putArray(randomText(random, 8)).add(randomText(random, 5)).addNull().add(random.nextBoolean());
        }
      }
      Event e = new Event("id-" + i, "x.y", "agent " + randomText(random, 10),
          random.nextBoolean() ? null : "r" + randomText(random, 12), Instant.ofEpochSecond(random.nextInt(2_000_000_000),
          random.nextInt(1_000_000_000)), random.nextBoolean() ? null : "p-" + i,
          random.nextBoolean() ? null : randomText(random, 6) + "x", data);
      String encoded = EventCodec.encodeEnvelope(e);

      String description = "seed=" + seed + " iteration=" + i + " " + encoded;
      Event decoded;
      try {
        decoded = EventCodec.decode(json(encoded));
      } catch (RuntimeException ex) {
        throw new AssertionError(description, ex);
      }
      assertThat(decoded).as(description).isEqualTo(e);
    }
  }

  /** Text with quotes, backslashes, control characters, non-ASCII and surrogate pairs. */
  private static String randomText(Random random, int maxLength) {
    String alphabet = "ab\"\\\n\t\u0001é😀 /<>&\u2028";
    StringBuilder sb = new StringBuilder();
    int length = random.nextInt(maxLength + 1);
    for (int i = 0; i < length; i++) {
      int at = random.nextInt(alphabet.length());
      char c = alphabet.charAt(at);
      if (Character.isHighSurrogate(c)) {
        sb.append(c).append(alphabet.charAt(at + 1));
      } else if (!Character.isLowSurrogate(c)) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  @Test
  void duplicateKeysAreRefusedAtEveryDepth() {
    assertThatThrownBy(() -> json("{\"id\":\"a\",\"id\":\"b\"}")).isInstanceOf(JacksonException.class)
        .hasMessageContaining("Duplicate");
    assertThatThrownBy(() -> json("{\"id\":\"a\",\"data\":{\"taskId\":\"t1\",\"taskId\":\"t2\"}}"))
        .isInstanceOf(JacksonException.class);
    assertThatThrownBy(() -> json("[{\"a\":{\"b\":[{\"c\":1,\"c\":1}]}}]")).isInstanceOf(JacksonException.class);
  }

  @Test
  void theDeliveredFormAddsTenantCursorAndReceivedAtAndIsValidJson() {
    Event e = fullEvent();
    StoredEvent s = stored("acme", e);

    JsonNode delivered = json(s.json());
    assertThat(delivered.get("tenant").stringValue()).isEqualTo("acme");
    assertThat(delivered.get("cursor").stringValue()).isEqualTo(s.cursor().toString());
    assertThat(Cursor.parse(delivered.get("cursor").stringValue())).isEqualTo(Cursor.at("store1", 7));
    assertThat(Instant.parse(delivered.get("receivedAt").stringValue())).isEqualTo(RECEIVED);
    assertThat(EventCodec.decode(delivered)).isEqualTo(e);
    assertThat(delivered.propertyNames()).containsExactly("id", "type", "agentId", "runId", "ts", "parentId", "target",
        "data", "tenant", "cursor", "receivedAt");
  }

  @Test
  void aTenantWithQuotesAndControlCharactersStaysInsideItsString() {
    String tenant = "we\"ird\\ten\nant\",\"cursor\":\"forged";
    StoredEvent s = stored(tenant, fullEvent());

    JsonNode delivered = json(s.json());
    assertThat(delivered.get("tenant").stringValue()).isEqualTo(tenant);
    assertThat(delivered.get("cursor").stringValue()).isEqualTo(s.cursor().toString());
  }

  @Test
  void aDeliveredEventWithEmptyDataIsValidJson() {
    Event e = new Event("a", "x.y", "w", null, Instant.parse("2026-11-28T16:00:00Z"), null, null,
        EventCodec.JSON.createObjectNode());

    assertThat(json(stored("t", e).json()).get("data").isEmpty()).isTrue();
  }

  @Test
  void anEventReadBackIsDecodedOnlyWhenAskedAndEqualsTheAppendedOne() {
    Event e = fullEvent();
    String envelope = EventCodec.encodeEnvelope(e);
    StoredEvent read = StoredEvent.read("acme", envelope, 0, 7, Cursor.at("store1", 7), RECEIVED);

    assertThat(read.envelopeJson()).isSameAs(envelope);
    assertThat(read.event()).isEqualTo(e).isSameAs(read.event());
    assertThat(read.json()).isEqualTo(stored("acme", e).json());
    assertThat(read.toString()).contains("acme/e-1").contains("task.progress");
  }

  @Test
  void withRunIdKeepsEverythingElse() {
    Event e = fullEvent();
    Event moved = e.withRunId("run-7");

    assertThat(moved.runId()).isEqualTo("run-7");
    assertThat(moved.withRunId("run-42")).isEqualTo(e);
  }

  @Test
  void anEventNeedsItsRequiredFields() {
    ObjectNode data = EventCodec.JSON.createObjectNode();
    Instant ts = Instant.parse("2026-11-28T16:00:00Z");
    assertThatThrownBy(() -> new Event(null, "x.y", "w", null, ts, null, null, data))
        .isInstanceOf(NullPointerException.class).hasMessage("id");
    assertThatThrownBy(() -> new Event("a", "x.y", "w", null, ts, null, null, null))
        .isInstanceOf(NullPointerException.class).hasMessage("data");
  }
}
