package io.agentwatch.server;

import static io.agentwatch.server.IngestEndToEndTest.assertProblem;
import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UnknownFieldSet;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code POST /v1/traces} fed by the real OpenTelemetry Java SDK and by hand-written OTLP/JSON. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OtlpEndToEndTest {

  @TempDir
  static Path data;
  TestServer server;

  @BeforeAll
  void start() {
    server = TestServer.start(data);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  /** A tracer provider exporting over http/protobuf to the test server, gzip-compressed. */
  private SdkTracerProvider provider(String service, String headerName, String headerValue) {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
        .setEndpoint(server.uri("/v1/traces").toString())
        .addHeader(headerName, headerValue)
        .setCompression("gzip")
        .setTimeout(Duration.ofSeconds(30))
        .build();
    return SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(
            Attributes.of(AttributeKey.stringKey("service.name"), service))))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
        .build();
  }

  private JsonNode eventually(String path, java.util.function.Predicate<JsonNode> ready) {
    JsonNode[] last = new JsonNode[1];
    TestServer.await(path + " to be ready", 15, () -> {
      HttpResponse<String> r = server.get(path, ADMIN_KEY);
      return r.statusCode() == 200 && ready.test(last[0] = json(r.body()));
    });
    return last[0];
  }

  @Test
  void aTraceExportedByTheJavaSdkShowsUpAsARunWithItsAgentToolCallsAndTokens() {
    SdkTracerProvider provider = provider("travel-agents", "Authorization", "Bearer " + ADMIN_KEY);
    Tracer tracer = provider.get("agentwatch-test");
    Span agent = tracer.spanBuilder("invoke_agent planner")
        .setAttribute("gen_ai.operation.name", "invoke_agent")
        .setAttribute("gen_ai.agent.id", "planner")
        .setAttribute("gen_ai.agent.name", "Trip planner")
        .setAttribute("gen_ai.conversation.id", "otel-conv-1")
        .startSpan();
    try (Scope ignored = agent.makeCurrent()) {
      tracer.spanBuilder("chat gpt-4o")
          .setAttribute("gen_ai.operation.name", "chat")
          .setAttribute("gen_ai.provider.name", "openai")
          .setAttribute("gen_ai.request.model", "gpt-4o")
          .setAttribute("gen_ai.usage.input_tokens", 1200L)
          .setAttribute("gen_ai.usage.output_tokens", 345L)
          .startSpan().end();
      tracer.spanBuilder("execute_tool get_weather")
          .setAttribute("gen_ai.operation.name", "execute_tool")
          .setAttribute("gen_ai.tool.name", "get_weather")
          .setAttribute("gen_ai.tool.call.id", "call_42")
          .startSpan().end();
      Span failing = tracer.spanBuilder("execute_tool book_flight")
          .setAttribute("gen_ai.operation.name", "execute_tool")
          .setAttribute("gen_ai.tool.name", "book_flight")
          .startSpan();
      failing.setStatus(StatusCode.ERROR, "no seats left");
      failing.end();
    } finally {
      agent.end();
    }
    assertThat(provider.forceFlush().join(30, TimeUnit.SECONDS).isSuccess()).isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);

    JsonNode run = eventually("/api/v1/runs/otel-conv-1", r -> r.get("tasks").get("completed").asLong() == 1);
    assertThat(run.get("participants").has("planner")).isTrue();
    assertThat(run.get("totals").get("llmCalls").asLong()).isEqualTo(1);
    assertThat(run.get("totals").get("inputTokens").asLong()).isEqualTo(1200);
    assertThat(run.get("totals").get("outputTokens").asLong()).isEqualTo(345);
    assertThat(run.get("totals").get("toolCalls").asLong()).isEqualTo(2);
    assertThat(run.get("totals").get("errors").asLong()).isEqualTo(1);

    JsonNode planner = eventually("/api/v1/agents/planner", a -> a.get("counters").get("toolCalls").asLong() == 2);
    assertThat(planner.get("name").stringValue()).isEqualTo("Trip planner");
    assertThat(planner.get("counters").get("inputTokens").asLong()).isEqualTo(1200);
    assertThat(json(server.get("/api/v1/agents", ADMIN_KEY).body()).get("agents").valueStream()
        .map(a -> a.get("agentId").stringValue()).toList()).contains("planner");

    JsonNode events = json(server.get("/api/v1/events?runId=otel-conv-1", ADMIN_KEY).body()).get("events");
    List<String> types = events.valueStream().map(e -> e.get("type").stringValue()).toList();
    assertThat(types).containsExactlyInAnyOrder("agent.registered", "task.created", "task.started", "llm.call",
        "tool.called", "tool.result", "tool.called", "tool.result", "task.completed");
    JsonNode failed = events.valueStream().filter(e -> e.get("type").stringValue().equals("tool.result")
        && e.get("data").get("tool").stringValue().equals("book_flight")).findFirst().orElseThrow();
    assertThat(failed.get("data").get("error").stringValue()).isEqualTo("no seats left");
  }

  private static final String TRACE = "5b8efff798038103d269b633813fc60c";

  /** An OTLP/JSON export as the specification writes it: hex ids, lowerCamelCase, enums as numbers. */
  private static String jsonExport(String trace, String conversation, String secondConversation) {
    return """
        {"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-svc"}}]},
          "scopeSpans":[{"scope":{"name":"manual"},"spans":[
            {"traceId":"%s","spanId":"eee19b7ec3c1b174","name":"chat claude","kind":3,
             "startTimeUnixNano":"1795881600000000000","endTimeUnixNano":"1795881601500000000",
             "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
               {"key":"gen_ai.request.model","value":{"stringValue":"claude-sonnet"}},
               {"key":"gen_ai.conversation.id","value":{"stringValue":"%s"}},
               {"key":"gen_ai.agent.name","value":{"stringValue":"json-writer"}},
               {"key":"gen_ai.usage.input_tokens","value":{"intValue":"77"}},
               {"key":"gen_ai.usage.output_tokens","value":{"intValue":9}}],
             "status":{"code":1},"someFutureField":true},
            {"traceId":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","spanId":"0000000000000001","name":"chat","kind":"SPAN_KIND_CLIENT",
             "startTimeUnixNano":"1795881600000000000","endTimeUnixNano":"1795881600000000000",
             "attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},
               {"key":"gen_ai.conversation.id","value":{"stringValue":"%s"}}]}
          ]}]}]}
        """.formatted(trace, conversation, secondConversation);
  }

  @Test
  void anOtlpJsonExportIsTakenWithHexIdsAndAnsweredInJson() {
    HttpResponse<String> r = server.post("/v1/traces", null, "application/json",
        jsonExport(TRACE, "otel-json-1", "otel-json-1"), "x-api-key", ADMIN_KEY);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(json(r.body()).has("partialSuccess")).isFalse();
    JsonNode run = eventually("/api/v1/runs/otel-json-1", n -> n.get("totals").get("llmCalls").asLong() == 2);
    assertThat(run.get("totals").get("inputTokens").asLong()).isEqualTo(77);
    JsonNode events = json(server.get("/api/v1/events?runId=otel-json-1&type=llm.call", ADMIN_KEY).body()).get("events");
    assertThat(events.valueStream().map(e -> e.get("id").stringValue()).toList())
        .contains(TRACE + "-eee19b7ec3c1b174");

    // The same export again (an exporter's retry) stores nothing new.
    assertThat(server.post("/v1/traces", ADMIN_KEY, "application/json", jsonExport(TRACE, "otel-json-1", "otel-json-1"))
        .statusCode()).isEqualTo(200);
    assertThat(json(server.get("/api/v1/events?runId=otel-json-1", ADMIN_KEY).body()).get("events")).hasSize(2);
  }

  @Test
  void spansThatCannotBeTakenAreCountedAsAPartialSuccess() {
    HttpResponse<String> r = server.post("/v1/traces", ADMIN_KEY, "application/json",
        jsonExport("6c8efff798038103d269b633813fc60c", "otel-partial", "x".repeat(300)));

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode partial = json(r.body()).get("partialSuccess");
    assertThat(partial.get("rejectedSpans").asLong()).isEqualTo(1);
    assertThat(partial.get("errorMessage").stringValue()).contains("0000000000000001").contains("runId");
    eventually("/api/v1/runs/otel-partial", n -> n.get("totals").get("llmCalls").asLong() == 1);
  }

  @Test
  void aProtobufAnswerCarriesThePartialSuccessToo() throws Exception {
    var export = io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest.newBuilder();
    com.google.protobuf.util.JsonFormat.parser().ignoringUnknownFields().merge("""
        {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAA==","spanId":"AAAAAAAAAAE=",
        "name":"zero trace"}]}]}]}""", export);
    HttpResponse<byte[]> r = server.http.send(HttpRequest.newBuilder(server.uri("/v1/traces"))
        .header("Content-Type", "application/x-protobuf").header("Authorization", "Bearer " + ADMIN_KEY)
        .POST(HttpRequest.BodyPublishers.ofByteArray(export.build().toByteArray())).build(),
        HttpResponse.BodyHandlers.ofByteArray());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(r.body());
    assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(response.getPartialSuccess().getErrorMessage()).contains("trace id");
  }

  private HttpResponse<byte[]> postBytes(String contentType, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.uri("/v1/traces")).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return server.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void garbageProtobufGetsA400WithAProtobufStatus() throws Exception {
    HttpResponse<byte[]> r = postBytes("application/x-protobuf", new byte[] {0x0a, (byte) 0xff, (byte) 0xff, 0x7f});

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    UnknownFieldSet status = UnknownFieldSet.parseFrom(r.body());
    assertThat(status.getField(1).getVarintList()).containsExactly(3L);
    assertThat(status.getField(2).getLengthDelimitedList().getFirst().toStringUtf8())
        .contains("not a protobuf ExportTraceServiceRequest");
  }

  @Test
  void badJsonGetsA400WithAJsonStatus() {
    for (String body : List.of("{\"resourceSpans\":", "[1,2]", "{\"resourceSpans\":[{\"scopeSpans\":\"no\"}]}",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"not-hex!\"}]}]}]}")) {
      HttpResponse<String> r = server.post("/v1/traces", ADMIN_KEY, "application/json", body);
      assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(400);
      JsonNode status = json(r.body());
      assertThat(status.get("code").intValue()).isEqualTo(3);
      assertThat(status.get("message").stringValue()).isNotBlank();
      assertThat(status.get("status").intValue()).isEqualTo(400);
    }
    assertThat(json(server.post("/v1/traces", ADMIN_KEY, "application/json",
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"zz\"}]}]}]}").body())
        .get("message").stringValue()).contains("resourceSpans[0].scopeSpans[0].spans[0].traceId must be a hex string");
  }

  @Test
  void aWrongContentTypeOrEncodingGets415() throws Exception {
    HttpResponse<String> r = server.post("/v1/traces", ADMIN_KEY, "text/plain", "hello");
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(json(r.body()).get("message").stringValue()).contains("application/x-protobuf");
    assertThat(postBytes("application/x-protobuf", new byte[0], "Content-Encoding", "br").statusCode()).isEqualTo(415);
  }

  @Test
  void withoutAValidKeyTheAnswerIs401AndAReadOnlyKeyGets403() {
    assertProblem(server.post("/v1/traces", null, "application/json", "{}"), 401, "API key is required");
    assertProblem(server.post("/v1/traces", null, "application/json", "{}", "x-api-key", "aw_nope"), 401, "unknown");
    String reader = server.newKey("default", "read");
    HttpResponse<String> r = server.post("/v1/traces", reader, "application/json", "{}");
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(json(r.body()).get("code").intValue()).isEqualTo(7);
  }

  @Test
  void anEmptyExportIsASuccessThatStoresNothing() throws Exception {
    HttpResponse<byte[]> r = postBytes("application/x-protobuf", new byte[0]);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(ExportTraceServiceResponse.parseFrom(r.body()).hasPartialSuccess()).isFalse();
  }

  @Test
  void anOversizedBodyOrGzipBombGets413AndCorruptGzip400() throws Exception {
    byte[] big = new byte[11 * 1024 * 1024];
    assertThat(postBytes("application/x-protobuf", big).statusCode()).isEqualTo(413);

    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write(big);
    }
    assertThat(zipped.size()).isLessThan(100_000);
    HttpResponse<byte[]> bomb = postBytes("application/x-protobuf", zipped.toByteArray(), "Content-Encoding", "gzip");
    assertThat(bomb.statusCode()).isEqualTo(413);
    assertThat(UnknownFieldSet.parseFrom(bomb.body()).getField(1).getVarintList()).containsExactly(8L);

    assertThat(postBytes("application/json", "not gzip".getBytes(), "Content-Encoding", "gzip").statusCode())
        .isEqualTo(400);
  }
}
