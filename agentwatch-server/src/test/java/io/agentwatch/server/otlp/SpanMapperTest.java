package io.agentwatch.server.otlp;

import static io.agentwatch.server.otlp.Spans.TRACE;
import static io.agentwatch.server.otlp.Spans.export;
import static io.agentwatch.server.otlp.Spans.failed;
import static io.agentwatch.server.otlp.Spans.span;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.model.Event;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SpanMapperTest {

  private static final Instant NOW = Instant.parse("2026-11-28T17:00:00Z");
  private static final String AGENT = "1111111111111111";
  private static final String CHAT = "2222222222222222";
  private static final String TOOL = "3333333333333333";

  private final SpanMapper mapper = new SpanMapper();

  private static Span.Builder agentSpan() {
    return span(AGENT, null, "invoke_agent planner", 0, 1000,
        "gen_ai.operation.name", "invoke_agent", "gen_ai.agent.id", "planner-1", "gen_ai.agent.name", "Planner",
        "gen_ai.conversation.id", "conv-7");
  }

  private static Span.Builder chatSpan() {
    return span(CHAT, AGENT, "chat gpt-4o", 100, 400, "gen_ai.operation.name", "chat",
        "gen_ai.request.model", "gpt-4o", "gen_ai.response.model", "gpt-4o-2024-08-06",
        "gen_ai.usage.input_tokens", 120, "gen_ai.usage.output_tokens", 30L, "gen_ai.provider.name", "openai");
  }

  private static Span.Builder toolSpan() {
    return span(TOOL, AGENT, "execute_tool search", 500, 650, "gen_ai.operation.name", "execute_tool",
        "gen_ai.tool.name", "search", "gen_ai.tool.call.id", "call_1");
  }

  private static Map<String, Event> byType(List<Event> events) {
    return events.stream().collect(Collectors.toMap(Event::type, e -> e, (a, b) -> a));
  }

  @Test
  void anAgentWithAModelCallAndAToolCallBecomesOneRunOfThatAgent() {
    SpanMapper.Mapping m = mapper.map(export("svc", agentSpan(), chatSpan(), toolSpan()), NOW);

    assertThat(m.rejectedSpans()).isZero();
    assertThat(m.events()).extracting(Event::type).containsExactly("agent.registered", "task.created",
        "task.started", "llm.call", "tool.called", "tool.result", "task.completed");
    assertThat(m.events()).allSatisfy(e -> {
      assertThat(e.runId()).isEqualTo("conv-7");
      assertThat(e.agentId()).isEqualTo("planner-1");
    });
    Map<String, Event> e = byType(m.events());
    Event llm = e.get("llm.call");
    assertThat(llm.id()).isEqualTo(TRACE + "-" + CHAT);
    assertThat(llm.parentId()).isEqualTo(TRACE + "-" + AGENT);
    assertThat(llm.data().get("model").stringValue()).isEqualTo("gpt-4o-2024-08-06");
    assertThat(llm.data().get("inputTokens").longValue()).isEqualTo(120);
    assertThat(llm.data().get("outputTokens").longValue()).isEqualTo(30);
    assertThat(llm.data().get("latencyMs").longValue()).isEqualTo(300);
    assertThat(llm.ts()).isEqualTo(Instant.parse("2026-11-28T16:00:00.400Z"));
    assertThat(e.get("tool.called").data().get("tool").stringValue()).isEqualTo("search");
    assertThat(e.get("tool.result").parentId()).isEqualTo(TRACE + "-" + TOOL);
    assertThat(e.get("tool.result").data().get("durationMs").longValue()).isEqualTo(150);
    assertThat(e.get("agent.registered").data().get("name").stringValue()).isEqualTo("Planner");
    assertThat(e.get("task.completed").data().get("taskId").stringValue()).isEqualTo(AGENT);
  }

  @Test
  void theSameExportMapsToTheSameEventIdsSoARetryIsADuplicate() {
    var request = export("svc", agentSpan(), chatSpan(), toolSpan());
    assertThat(mapper.map(request, NOW).events()).extracting(Event::id)
        .containsExactlyElementsOf(mapper.map(request, NOW.plusSeconds(60)).events().stream().map(Event::id).toList())
        .doesNotHaveDuplicates();
  }

  @Test
  void withoutAgentOrConversationAttributesTheServiceIsTheAgentAndTheTraceIsTheRun() {
    SpanMapper.Mapping m = mapper.map(export("billing-service",
        span(CHAT, null, "chat", 0, 10, "gen_ai.operation.name", "chat", "gen_ai.request.model", "m")), NOW);

    Event llm = m.events().getFirst();
    assertThat(llm.agentId()).isEqualTo("billing-service");
    assertThat(llm.runId()).isEqualTo(TRACE);
    assertThat(llm.parentId()).isNull();
    assertThat(mapper.map(export(null, span(CHAT, null, "chat", 0, 10, "gen_ai.operation.name", "chat")), NOW)
        .events().getFirst().agentId()).isEqualTo(SpanMapper.UNKNOWN_SERVICE);
  }

  @Test
  void aChildSpanWithoutTheConversationIdJoinsTheConversationOfItsTrace() {
    // The child comes first, as batch exporters send spans in the order they end.
    SpanMapper.Mapping m = mapper.map(export("svc", chatSpan(), agentSpan()), NOW);
    assertThat(m.events()).extracting(Event::runId).containsOnly("conv-7");
  }

  @Test
  void olderAttributeNamesOfOpenLlmetryAndOpenInferenceAreRead() {
    SpanMapper.Mapping m = mapper.map(export("svc",
        span("4444444444444444", null, "openai.chat", 0, 10, "llm.request.type", "chat", "gen_ai.system", "openai",
            "gen_ai.request.model", "gpt-3.5", "gen_ai.usage.prompt_tokens", 11, "gen_ai.usage.completion_tokens", 5),
        span("5555555555555555", null, "anthropic.completion", 0, 10, "llm.usage.prompt_tokens", 7,
            "llm.usage.completion_tokens", 3, "llm.request.model", "claude"),
        span("6666666666666666", null, "ChatOpenAI", 0, 10, "openinference.span.kind", "LLM",
            "llm.model_name", "gpt-4", "llm.token_count.prompt", 20, "llm.token_count.completion", 8,
            "session.id", "sess-1"),
        span("7777777777777777", null, "lookup", 0, 10, "openinference.span.kind", "TOOL", "tool.name", "lookup")),
        NOW);

    List<Event> llm = m.events().stream().filter(e -> e.type().equals("llm.call")).toList();
    assertThat(llm).extracting(e -> e.data().get("inputTokens").longValue()).containsExactly(11L, 7L, 20L);
    assertThat(llm).extracting(e -> e.data().get("outputTokens").longValue()).containsExactly(5L, 3L, 8L);
    assertThat(llm).extracting(e -> e.data().get("model").stringValue()).containsExactly("gpt-3.5", "claude", "gpt-4");
    assertThat(llm.get(2).runId()).isEqualTo("sess-1");
    assertThat(m.events()).filteredOn(e -> e.type().equals("tool.called"))
        .extracting(e -> e.data().get("tool").stringValue()).containsExactly("lookup");
  }

  @Test
  void aFailedToolSpanGivesAToolResultWithItsError() {
    SpanMapper.Mapping m = mapper.map(export("svc", agentSpan(), failed(toolSpan(), "timeout after 30 s")), NOW);
    Event result = byType(m.events()).get("tool.result");
    assertThat(result.data().get("error").stringValue()).isEqualTo("timeout after 30 s");
  }

  @Test
  void aFailedAgentSpanFailsItsTaskAndAFailedModelCallIsAnError() {
    Span.Builder chat = failed(chatSpan(), "");
    chat.addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(Spans.T0 + 300_000_000)
        .addAttributes(Spans.attribute("exception.type", "RateLimitError"))
        .addAttributes(Spans.attribute("exception.message", "429 from upstream")));
    SpanMapper.Mapping m = mapper.map(export("svc", failed(agentSpan(), "gave up"), chat), NOW);

    Map<String, Event> e = byType(m.events());
    assertThat(e.get("task.failed").data().get("error").stringValue()).isEqualTo("gave up");
    assertThat(e.get("error.occurred").data().get("message").stringValue()).isEqualTo("RateLimitError: 429 from upstream");
    assertThat(e.get("error.occurred").parentId()).isEqualTo(TRACE + "-" + CHAT);
  }

  @Test
  void anExceptionOnASpanThatDidNotFailIsRecordedAsAnError() {
    Span.Builder tool = toolSpan().addEvents(Span.Event.newBuilder().setName("exception")
        .addAttributes(Spans.attribute("exception.message", "retrying")));
    SpanMapper.Mapping m = mapper.map(export("svc", agentSpan(), tool), NOW);
    assertThat(byType(m.events()).get("tool.result").data().has("error")).isFalse();
    assertThat(byType(m.events()).get("error.occurred").data().get("message").stringValue()).isEqualTo("retrying");
  }

  @Test
  void aNestedAgentInvocationIsATaskTheParentAgentDelegates() {
    Span.Builder worker = span("8888888888888888", AGENT, "invoke_agent coder", 200, 900,
        "gen_ai.operation.name", "invoke_agent", "gen_ai.agent.name", "coder");
    SpanMapper.Mapping m = mapper.map(export("svc", agentSpan(), worker), NOW);

    Event created = m.events().stream().filter(e -> e.type().equals("task.created")
        && e.data().get("taskId").stringValue().equals("8888888888888888")).findFirst().orElseThrow();
    assertThat(created.agentId()).isEqualTo("planner-1");
    assertThat(created.target()).isEqualTo("coder");
    assertThat(created.data().get("assignee").stringValue()).isEqualTo("coder");
    assertThat(created.data().get("parentTaskId").stringValue()).isEqualTo(AGENT);
    assertThat(m.events()).filteredOn(e -> e.type().equals("task.started")).extracting(Event::agentId)
        .containsExactly("planner-1", "coder");
  }

  @Test
  void aSpanOutsideTheConventionsIsKeptAsASpanRecordedEvent() {
    SpanMapper.Mapping m = mapper.map(export("svc", span("9999999999999999", null, "GET /orders", 0, 25,
        "http.request.method", "GET", "http.response.status_code", 200, "big", "x".repeat(5000))), NOW);

    Event e = m.events().getFirst();
    assertThat(e.type()).isEqualTo("span.recorded");
    assertThat(e.data().get("name").stringValue()).isEqualTo("GET /orders");
    assertThat(e.data().get("durationMs").longValue()).isEqualTo(25);
    assertThat(e.data().get("attributes").get("http.response.status_code").longValue()).isEqualTo(200);
    assertThat(e.data().get("attributes").get("big").stringValue()).hasSize(SpanEvents.MAX_ATTRIBUTE_TEXT);
  }

  @Test
  void aSpanThatCannotBeMappedIsRejectedAloneWithAReason() {
    Span.Builder badTrace = chatSpan().setTraceId(Spans.bytes("00000000000000000000000000000000"));
    Span.Builder longRun = span("aaaaaaaaaaaaaaaa", null, "chat", 0, 1, "gen_ai.operation.name", "chat",
        "gen_ai.conversation.id", "c".repeat(200)).setTraceId(Spans.bytes("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
    SpanMapper.Mapping m = mapper.map(export("svc", badTrace, longRun, toolSpan()), NOW);

    assertThat(m.rejectedSpans()).isEqualTo(2);
    assertThat(m.errors().get(0)).contains("trace id");
    assertThat(m.errors().get(1)).contains("runId");
    assertThat(m.events()).extracting(Event::type).containsExactly("tool.called", "tool.result");
  }

  @Test
  void hostileParentCyclesDoNotHang() {
    Span.Builder a = span("aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb", "x", 0, 1);
    Span.Builder b = span("bbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaa", "y", 0, 1);
    assertThat(mapper.map(export("svc", a, b), NOW).events()).hasSize(2)
        .allSatisfy(e -> assertThat(e.agentId()).isEqualTo("svc"));
  }

  @Test
  void attributesAreReadByAnyOfTheirTypes() {
    SpanAttributes a = SpanAttributes.of(List.of(Spans.attribute("n", "42"), Spans.attribute("d", 3.0),
        Spans.attribute("f", 2.5), KeyValue.newBuilder().setKey("empty").build()));
    assertThat(a.whole("n")).isEqualTo(42);
    assertThat(a.whole("d")).isEqualTo(3);
    assertThat(a.whole("f", "n")).isEqualTo(42);
    assertThat(a.text("empty", "n")).isEqualTo("42");
  }
}
