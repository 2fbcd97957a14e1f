package io.agentwatch.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class EventValidatorTest {

  private final EventValidator validator = new EventValidator();

  /** A valid envelope of {@code type} with {@code data} (JSON object text). */
  static ObjectNode envelope(String type, String data) {
    ObjectNode node = (ObjectNode) EventCodec.JSON.readTree(
        "{\"id\":\"e-1\",\"type\":\"" + type + "\",\"agentId\":\"worker-1\",\"runId\":\"run-42\","
            + "\"ts\":\"2026-11-28T16:00:00.123Z\",\"data\":" + data + "}");
    return node;
  }

  private List<Problem> problems(JsonNode node) {
    JsonNode data = node.isObject() ? node.get("data") : null;
    int bytes = data != null && data.isObject() ? EventCodec.JSON.writeValueAsBytes(data).length : -1;
    return validator.validate(node, bytes);
  }

  private List<Problem> problemsOfData(String type, String data) {
    return problems(envelope(type, data));
  }

  @Nested
  class KnownTypes {

    /** Every type of API.md's table with minimal valid data and its required fields. */
    static Stream<Arguments> knownTypes() {
      return Stream.of(
          Arguments.of("agent.registered", "{\"role\":\"worker\"}", List.of("role")),
          Arguments.of("agent.heartbeat", "{}", List.of()),
          Arguments.of("agent.status", "{\"status\":\"busy\"}", List.of("status")),
          Arguments.of("task.created", "{\"taskId\":\"t1\"}", List.of("taskId")),
          Arguments.of("task.assigned", "{\"taskId\":\"t1\",\"assignee\":\"w2\"}", List.of("taskId", "assignee")),
          Arguments.of("task.started", "{\"taskId\":\"t1\"}", List.of("taskId")),
          Arguments.of("task.completed", "{\"taskId\":\"t1\"}", List.of("taskId")),
          Arguments.of("task.progress", "{\"taskId\":\"t1\",\"percent\":40}", List.of("taskId", "percent")),
          Arguments.of("task.failed", "{\"taskId\":\"t1\",\"error\":\"boom\"}", List.of("taskId", "error")),
          Arguments.of("message.sent", "{\"to\":\"w2\",\"content\":\"hi\"}", List.of("to", "content")),
          Arguments.of("tool.called", "{\"tool\":\"search\"}", List.of("tool")),
          Arguments.of("tool.result", "{\"tool\":\"search\"}", List.of("tool")),
          Arguments.of("llm.call", "{\"model\":\"m\",\"inputTokens\":10,\"outputTokens\":0}",
              List.of("model", "inputTokens", "outputTokens")),
          Arguments.of("metric", "{\"name\":\"queue\",\"value\":3.5}", List.of("name", "value")),
          Arguments.of("log", "{\"level\":\"info\",\"message\":\"hello\"}", List.of("level", "message")),
          Arguments.of("error.occurred", "{\"message\":\"boom\"}", List.of("message")),
          Arguments.of("command.acknowledged", "{\"commandId\":\"c1\",\"outcome\":\"applied\"}",
              List.of("commandId", "outcome")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("knownTypes")
    void everyKnownTypeIsKnownAndPassesWithItsMinimalData(String type, String data, List<String> required) {
      assertThat(EventValidator.isKnownType(type)).isTrue();
      assertThat(problemsOfData(type, data)).as(type).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("knownTypes")
    void everyMissingRequiredFieldIsReportedByItsPath(String type, String data, List<String> required) {
      List<Problem> expected = required.stream().map(f -> new Problem("data." + f, "is required")).toList();

      assertThat(problemsOfData(type, "{}")).as(type).containsExactlyInAnyOrderElementsOf(expected);
      ObjectNode withNulls = envelope(type, data);
      required.forEach(f -> ((ObjectNode) withNulls.get("data")).putNull(f));
      assertThat(problems(withNulls)).as(type + " with nulls").containsExactlyInAnyOrderElementsOf(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("knownTypes")
    void aMissingDataObjectCountsAsEmpty(String type, String data, List<String> required) {
      ObjectNode node = envelope(type, data);
      node.remove("data");

      assertThat(problems(node)).extracting(Problem::path)
          .containsExactlyInAnyOrderElementsOf(required.stream().map(f -> "data." + f).toList());
    }

    static Stream<Arguments> wrongFields() {
      return Stream.of(
          Arguments.of("agent.registered", "{\"role\":\"\"}", "data.role", "must be a non-empty string"),
          Arguments.of("agent.registered", "{\"role\":7}", "data.role", "must be a non-empty string"),
          Arguments.of("agent.registered", "{\"role\":\"w\",\"name\":false}", "data.name", "must be a non-empty string"),
          Arguments.of("agent.registered", "{\"role\":\"w\",\"capabilities\":\"search\"}", "data.capabilities",
              "must be an array of strings"),
          Arguments.of("agent.registered", "{\"role\":\"w\",\"capabilities\":[\"a\",1]}", "data.capabilities",
              "must be an array of strings"),
          Arguments.of("agent.heartbeat", "{\"cpu\":-1}", "data.cpu", "must be >= 0 but was -1"),
          Arguments.of("agent.heartbeat", "{\"memoryMb\":\"512\"}", "data.memoryMb", "must be a number"),
          Arguments.of("agent.heartbeat", "{\"queueDepth\":-2.5}", "data.queueDepth", "must be >= 0 but was -2.5"),
          Arguments.of("agent.status", "{\"status\":\"sleeping\"}", "data.status",
              "must be one of idle, busy, paused, error, offline, quarantined but was \"sleeping\""),
          Arguments.of("agent.status", "{\"status\":1}", "data.status",
              "must be one of idle, busy, paused, error, offline, quarantined but was 1"),
          Arguments.of("task.created", "{\"taskId\":\"\"}", "data.taskId", "must be a non-empty string"),
          Arguments.of("task.created", "{\"taskId\":\"t\",\"title\":[]}", "data.title", "must be a non-empty string"),
          Arguments.of("task.created", "{\"taskId\":\"t\",\"assignee\":{}}", "data.assignee",
              "must be a non-empty string"),
          Arguments.of("task.created", "{\"taskId\":\"t\",\"parentTaskId\":3}", "data.parentTaskId",
              "must be a non-empty string"),
          Arguments.of("task.assigned", "{\"taskId\":\"t\",\"assignee\":true}", "data.assignee",
              "must be a non-empty string"),
          Arguments.of("task.started", "{\"taskId\":42}", "data.taskId", "must be a non-empty string"),
          Arguments.of("task.completed", "{\"taskId\":null,\"x\":1}", "data.taskId", "is required"),
          Arguments.of("task.progress", "{\"taskId\":\"t\",\"percent\":140}", "data.percent",
              "must be 0..100 but was 140"),
          Arguments.of("task.progress", "{\"taskId\":\"t\",\"percent\":-1}", "data.percent",
              "must be 0..100 but was -1"),
          Arguments.of("task.progress", "{\"taskId\":\"t\",\"percent\":100.5}", "data.percent",
              "must be 0..100 but was 100.5"),
          Arguments.of("task.progress", "{\"taskId\":\"t\",\"percent\":\"50\"}", "data.percent", "must be a number"),
          Arguments.of("task.failed", "{\"taskId\":\"t\",\"error\":\"\"}", "data.error", "must be a non-empty string"),
          Arguments.of("message.sent", "{\"to\":\"w2\",\"content\":5}", "data.content", "must be a string"),
          Arguments.of("message.sent", "{\"to\":\"\",\"content\":\"\"}", "data.to", "must be a non-empty string"),
          Arguments.of("tool.called", "{\"tool\":[\"x\"]}", "data.tool", "must be a non-empty string"),
          Arguments.of("tool.result", "{\"tool\":\"x\",\"durationMs\":-3}", "data.durationMs",
              "must be >= 0 but was -3"),
          Arguments.of("tool.result", "{\"tool\":\"x\",\"error\":404}", "data.error", "must be a string"),
          Arguments.of("llm.call", "{\"model\":\"m\",\"inputTokens\":1.5,\"outputTokens\":1}", "data.inputTokens",
              "must be a whole number"),
          Arguments.of("llm.call", "{\"model\":\"m\",\"inputTokens\":1,\"outputTokens\":-1}", "data.outputTokens",
              "must be >= 0 but was -1"),
          Arguments.of("llm.call", "{\"model\":\"m\",\"inputTokens\":1,\"outputTokens\":\"2\"}", "data.outputTokens",
              "must be a whole number"),
          Arguments.of("llm.call", "{\"model\":\"m\",\"inputTokens\":1,\"outputTokens\":1,\"costUsd\":-0.01}",
              "data.costUsd", "must be >= 0 but was -0.01"),
          Arguments.of("llm.call", "{\"model\":\"m\",\"inputTokens\":1,\"outputTokens\":1,\"latencyMs\":\"fast\"}",
              "data.latencyMs", "must be a number"),
          Arguments.of("metric", "{\"name\":\"q\",\"value\":\"high\"}", "data.value", "must be a number"),
          Arguments.of("metric", "{\"name\":\"\",\"value\":1}", "data.name", "must be a non-empty string"),
          Arguments.of("metric", "{\"name\":\"q\",\"value\":1,\"unit\":2}", "data.unit", "must be a non-empty string"),
          Arguments.of("log", "{\"level\":\"info\",\"message\":[]}", "data.message", "must be a string"),
          Arguments.of("error.occurred", "{\"message\":{}}", "data.message", "must be a string"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("wrongFields")
    void aWrongFieldGetsItsPathAndAPreciseReason(String type, String data, String path, String reason) {
      assertThat(problemsOfData(type, data)).containsExactly(new Problem(path, reason));
    }

    @Test
    void optionalFieldsOfTheRightShapePass() {
      assertThat(problemsOfData("agent.registered",
          "{\"role\":\"manager\",\"name\":\"Ma\",\"capabilities\":[\"plan\",\"search\"]}")).isEmpty();
      assertThat(problemsOfData("agent.heartbeat", "{\"cpu\":0.5,\"memoryMb\":512,\"queueDepth\":0}")).isEmpty();
      assertThat(problemsOfData("tool.result", "{\"tool\":\"x\",\"durationMs\":12.5,\"error\":\"\"}")).isEmpty();
      assertThat(problemsOfData("llm.call",
          "{\"model\":\"m\",\"inputTokens\":0,\"outputTokens\":7,\"costUsd\":0,\"latencyMs\":120}")).isEmpty();
      assertThat(problemsOfData("task.progress", "{\"taskId\":\"t\",\"percent\":0}")).isEmpty();
      assertThat(problemsOfData("task.progress", "{\"taskId\":\"t\",\"percent\":100}")).isEmpty();
      assertThat(problemsOfData("metric", "{\"name\":\"q\",\"value\":-7,\"unit\":\"ms\"}")).isEmpty();
    }

    @Test
    void alertEventsAreTheServersOwnAndRefusedFromClients() {
      assertThat(problemsOfData("alert.raised", "{}")).containsExactly(new Problem("type",
          "'alert.raised' is written by the server's analytics (alert.*); clients may not send it"));
      assertThat(problemsOfData("alerts.custom", "{}")).isEmpty();
    }

    @Test
    void everyAgentStatusOfTheTableIsAccepted() {
      for (String status : List.of("idle", "busy", "paused", "error", "offline", "quarantined")) {
        assertThat(problemsOfData("agent.status", "{\"status\":\"" + status + "\"}")).as(status).isEmpty();
      }
    }

    @Test
    void extraDataFieldsOfAKnownTypeAreKept() {
      assertThat(problemsOfData("task.started", "{\"taskId\":\"t\",\"anything\":{\"deep\":[1,2]}}")).isEmpty();
    }

    @Test
    void aCountTooLargeForALongIsAProblemNotACrash() {
      assertThat(problemsOfData("llm.call",
          "{\"model\":\"m\",\"inputTokens\":99999999999999999999999,\"outputTokens\":-99999999999999999999999}"))
          .containsExactly(
              new Problem("data.inputTokens", "must be at most 9223372036854775807 but was 99999999999999999999999"),
              new Problem("data.outputTokens", "must be >= 0 but was -99999999999999999999999"));
    }

    @Test
    void aNumberTooLargeForADoubleIsRefusedBecauseItWouldBeStoredAsText() {
      assertThat(problemsOfData("metric", "{\"name\":\"q\",\"value\":1e400}"))
          .containsExactly(new Problem("data.value", "must be a finite number"));
      assertThat(problemsOfData("tool.result", "{\"tool\":\"x\",\"durationMs\":1e999}"))
          .containsExactly(new Problem("data.durationMs", "must be a finite number"));
      assertThat(problemsOfData("task.progress", "{\"taskId\":\"t\",\"percent\":-1e400}"))
          .containsExactly(new Problem("data.percent", "must be a finite number"));
    }

    @Test
    void allDataProblemsAreReportedTogether() {
      assertThat(problemsOfData("llm.call", "{\"inputTokens\":-1,\"outputTokens\":\"x\",\"costUsd\":-2}"))
          .containsExactlyInAnyOrder(
              new Problem("data.model", "is required"),
              new Problem("data.inputTokens", "must be >= 0 but was -1"),
              new Problem("data.outputTokens", "must be a whole number"),
              new Problem("data.costUsd", "must be >= 0 but was -2"));
    }
  }

  @Test
  void aCommandAnswerIsAppliedOrRejected() {
    assertThat(problemsOfData("command.acknowledged", "{\"commandId\":\"c1\",\"outcome\":\"ignored\"}"))
        .containsExactly(new Problem("data.outcome", "must be applied or rejected but was \"ignored\""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"agent.edited", "run.edited", "command.issued"})
  void typesTheServerWritesAreRefusedFromClientsWithTheEndpointToUse(String type) {
    assertThat(problemsOfData(type, "{}")).singleElement()
        .satisfies(p -> assertThat(p.path()).isEqualTo("type"))
        .satisfies(p -> assertThat(p.reason()).contains("clients may not send it").contains("/api/v1/"));
  }

  @Nested
  class UnknownTypes {

    @ParameterizedTest
    @ValueSource(strings = {"custom.thing", "task.started.extra", "a.b", "x1_y.z_2.w3", "agent.heartbeat_v2"})
    void aWellFormedUnknownTypePassesWithAnyData(String type) {
      assertThat(EventValidator.isKnownType(type)).isFalse();
      assertThat(problemsOfData(type, "{\"anything\":[1,{\"x\":null}],\"percent\":\"lots\",\"taskId\":5}")).isEmpty();
      assertThat(problemsOfData(type, "{}")).isEmpty();
      assertThat(problemsOfData(type, "null")).isEmpty();
    }

    @Test
    void anUnknownTypeStillNeedsAnObjectAsData() {
      assertThat(problemsOfData("custom.thing", "[1,2]")).containsExactly(new Problem("data", "must be a JSON object"));
      assertThat(problemsOfData("custom.thing", "\"text\"")).containsExactly(new Problem("data", "must be a JSON object"));
    }
  }

  @Nested
  class Envelope {

    private List<Problem> with(String field, String jsonValue) {
      ObjectNode node = envelope("custom.thing", "{}");
      node.set(field, EventCodec.JSON.readTree(jsonValue));
      return problems(node);
    }

    private List<Problem> without(String field) {
      ObjectNode node = envelope("custom.thing", "{}");
      node.remove(field);
      return problems(node);
    }

    private static String quoted(String s) {
      return "\"" + s + "\"";
    }

    @Test
    void aNonObjectIsOneProblemAboutTheWhole() {
      for (String text : List.of("[]", "42", "\"x\"", "null", "true")) {
        assertThat(problems(EventCodec.JSON.readTree(text))).as(text)
            .containsExactly(new Problem("", "must be a JSON object"));
      }
      assertThat(validator.validate(null, -1)).containsExactly(new Problem("", "must be a JSON object"));
    }

    @Test
    void requiredEnvelopeFieldsAreRequired() {
      for (String field : List.of("id", "type", "agentId", "ts")) {
        assertThat(without(field)).as(field).containsExactly(new Problem(field, "is required"));
        assertThat(with(field, "null")).as(field + " null").containsExactly(new Problem(field, "is required"));
      }
    }

    @Test
    void optionalEnvelopeFieldsMayBeAbsentOrNull() {
      for (String field : List.of("runId", "parentId", "target")) {
        assertThat(without(field)).as(field).isEmpty();
        assertThat(with(field, "null")).as(field + " null").isEmpty();
      }
    }

    @Test
    void envelopeFieldsMustBeStrings() {
      assertThat(with("id", "12")).containsExactly(new Problem("id", "must be a string"));
      assertThat(with("type", "[\"a.b\"]")).containsExactly(new Problem("type", "must be a string"));
      assertThat(with("agentId", "{}")).containsExactly(new Problem("agentId", "must be a string"));
      assertThat(with("runId", "1")).containsExactly(new Problem("runId", "must be a string"));
      assertThat(with("parentId", "true")).containsExactly(new Problem("parentId", "must be a string"));
      assertThat(with("target", "2.5")).containsExactly(new Problem("target", "must be a string"));
      assertThat(with("ts", "1764345600000"))
          .containsExactly(new Problem("ts", "must be an RFC 3339 timestamp string"));
    }

    @Test
    void idsAreOneTo64CharactersOfTheAllowedAlphabet() {
      String rule = "must be 1-64 characters of A-Z a-z 0-9 . _ : -";
      for (String good : List.of("a", "01JDQ6Z3V8M4", "A.b_c:d-9", "x".repeat(64))) {
        assertThat(with("id", quoted(good))).as(good).isEmpty();
        assertThat(with("parentId", quoted(good))).as(good).isEmpty();
      }
      for (String bad : List.of("", "x".repeat(65), "a b", "a/b", "ä", "a\\nb", "id#1", "a*")) {
        String shown = EventCodec.JSON.readTree(quoted(bad)).stringValue();
        assertThat(with("id", quoted(bad))).as(bad).containsExactly(new Problem("id", rule + " but was '" + shown + "'"));
        assertThat(with("parentId", quoted(bad))).as(bad)
            .containsExactly(new Problem("parentId", rule + " but was '" + shown + "'"));
      }
    }

    @Test
    void aLongBadValueIsShortenedInTheReason() {
      String bad = "x".repeat(100);
      assertThat(with("id", quoted(bad))).singleElement()
          .satisfies(p -> assertThat(p.reason()).endsWith("but was '" + "x".repeat(80) + "…'"));
    }

    @Test
    void typesAreDottedLowerCaseOfAtMost64Characters() {
      String rule = "must be dotted lower-case like task.started (at most 64 characters) but was ";
      String longest = "a." + "b".repeat(62);
      assertThat(with("type", quoted(longest))).isEmpty();
      for (String good : List.of("a.b", "task.starting", "x1_y.z_2.w3", "a.b.c.d")) {
        assertThat(with("type", quoted(good))).as(good).isEmpty();
      }
      for (String bad : List.of("", "task", "Task.Started", "task..x", "task.", ".task", "1task.x", "task.1x",
          "task-x.y", "task x.y", "_a.b", longest + "c")) {
        assertThat(with("type", quoted(bad))).as(bad).containsExactly(new Problem("type", rule + "'" + bad + "'"));
      }
    }

    @Test
    void agentRunAndTargetAreOneTo128Characters() {
      for (String field : List.of("agentId", "runId", "target")) {
        assertThat(with(field, quoted("x".repeat(128)))).as(field).isEmpty();
        assertThat(with(field, quoted("any chars: ä/ #"))).as(field).isEmpty();
        assertThat(with(field, quoted(""))).as(field)
            .containsExactly(new Problem(field, "must be 1-128 characters but had 0"));
        assertThat(with(field, quoted("x".repeat(129)))).as(field)
            .containsExactly(new Problem(field, "must be 1-128 characters but had 129"));
      }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "2026-11-28T16:00:00Z", "2026-11-28T16:00:00.123Z", "2026-11-28T16:00:00.123456789Z",
        "2026-11-28T17:00:00+01:00", "2026-11-28T10:30:00-05:30", "2026-11-28t16:00:00z", "1970-01-01T00:00:00Z",
        "2024-02-29T00:00:00Z"})
    void rfc3339TimestampsPass(String ts) {
      assertThat(with("ts", quoted(ts))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "yesterday", "2026-11-28", "2026-11-28T16:00:00", "2026-11-28T16:00Z", "2026-11-28 16:00:00Z",
        "2026-11-28T16:00:00+0100", "2026-11-28T16:00:00+01", "2026-11-28T16:00:00+01:00:30",
        "+12026-11-28T16:00:00Z", "2026-02-30T16:00:00Z", "2026-11-28T25:00:00Z", "2026-11-28T16:00:00.Z",
        "2026-11-28T16:00:00Z ", " 2026-11-28T16:00:00Z", "2026-11-28T16:00:00UTC", "28/11/2026 16:00"})
    void otherTimestampsAreRefusedWithTheirValue(String ts) {
      assertThat(with("ts", quoted(ts))).containsExactly(new Problem("ts",
          "must be an RFC 3339 timestamp like 2026-11-28T16:00:00.123Z but was '" + ts + "'"));
    }

    @Test
    void allProblemsOfAnEnvelopeAreReportedAtOnce() {
      ObjectNode node = (ObjectNode) EventCodec.JSON.readTree(
          "{\"id\":\"a b\",\"type\":\"task.progress\",\"runId\":\"\",\"ts\":\"soon\",\"parentId\":5,"
              + "\"target\":\"\",\"data\":{\"percent\":140}}");

      assertThat(problems(node)).containsExactlyInAnyOrder(
          new Problem("id", "must be 1-64 characters of A-Z a-z 0-9 . _ : - but was 'a b'"),
          new Problem("agentId", "is required"),
          new Problem("runId", "must be 1-128 characters but had 0"),
          new Problem("ts", "must be an RFC 3339 timestamp like 2026-11-28T16:00:00.123Z but was 'soon'"),
          new Problem("parentId", "must be a string"),
          new Problem("target", "must be 1-128 characters but had 0"),
          new Problem("data.taskId", "is required"),
          new Problem("data.percent", "must be 0..100 but was 140"));
    }

    @Test
    void aBadTypeSkipsTheDataCheckButReportsEverythingElse() {
      ObjectNode node = (ObjectNode) EventCodec.JSON.readTree(
          "{\"type\":\"Task.Progress\",\"agentId\":\"w\",\"ts\":\"2026-11-28T16:00:00Z\",\"data\":[]}");

      assertThat(problems(node)).containsExactlyInAnyOrder(
          new Problem("id", "is required"),
          new Problem("type", "must be dotted lower-case like task.started (at most 64 characters) but was "
              + "'Task.Progress'"),
          new Problem("data", "must be a JSON object"));
    }

    @Test
    void unknownEnvelopeFieldsAreIgnored() {
      assertThat(with("somethingElse", "[1,2,3]")).isEmpty();
    }
  }

  @Nested
  class DataSize {

    private static ObjectNode withBlob(int serializedDataBytes) {
      // {"b":"…"} is 8 bytes around the blob.
      return envelope("custom.thing", "{\"b\":\"" + "x".repeat(serializedDataBytes - 8) + "\"}");
    }

    @Test
    void dataOfExactly100KbPasses() {
      ObjectNode node = withBlob(EventValidator.MAX_DATA_BYTES);
      assertThat(EventCodec.JSON.writeValueAsBytes(node.get("data"))).hasSize(EventValidator.MAX_DATA_BYTES);

      assertThat(problems(node)).isEmpty();
    }

    @Test
    void dataOverOneHundredKbIsRefusedWithItsSize() {
      ObjectNode node = withBlob(EventValidator.MAX_DATA_BYTES + 1);

      assertThat(problems(node)).containsExactly(new Problem("data",
          "must be at most 102400 bytes serialized but was 102401"));
    }

    @Test
    void theSizeIsMeasuredInBytesNotCharacters() {
      // 40,000 two-byte characters are 80,000 bytes: under the limit; 60,000 are over it.
      assertThat(problems(envelope("custom.thing", "{\"b\":\"" + "é".repeat(40_000) + "\"}"))).isEmpty();
      assertThat(problems(envelope("custom.thing", "{\"b\":\"" + "é".repeat(60_000) + "\"}")))
          .extracting(Problem::path).containsExactly("data");
    }

    @Test
    void anOversizedKnownTypeAlsoReportsItsFieldProblems() {
      ObjectNode node = envelope("task.started", "{\"b\":\"" + "x".repeat(EventValidator.MAX_DATA_BYTES) + "\"}");

      assertThat(problems(node)).extracting(Problem::path).containsExactlyInAnyOrder("data", "data.taskId");
    }
  }

  @Test
  void problemMessagesReadAsSentences() {
    assertThat(new Problem("data.taskId", "is required").message()).isEqualTo("data.taskId is required");
    assertThat(new Problem("", "must be a JSON object").message()).isEqualTo("must be a JSON object");
    assertThat(new Problem("data.taskId", "is required").under("events[3]").path()).isEqualTo("events[3].data.taskId");
    assertThat(new Problem("[2]", "x").under("events").path()).isEqualTo("events[2]");
    assertThat(new Problem("", "x").under("[4]").path()).isEqualTo("[4]");
  }
}
