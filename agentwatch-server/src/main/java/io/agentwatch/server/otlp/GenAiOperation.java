package io.agentwatch.server.otlp;

import java.util.Locale;
import java.util.Set;

/**
 * What a span did, read from the OpenTelemetry GenAI semantic conventions
 * ({@code gen_ai.operation.name}) or, for older instrumentations, from OpenInference's
 * {@code openinference.span.kind}, OpenLLMetry's {@code traceloop.span.kind} and
 * {@code llm.request.type}, or the mere presence of token counts.
 */
enum GenAiOperation {
  /** {@code invoke_agent}: an agent runs. */
  INVOKE_AGENT,
  /** {@code create_agent}: an agent is made. */
  CREATE_AGENT,
  /** {@code execute_tool}: a tool call. */
  EXECUTE_TOOL,
  /** {@code chat}, {@code text_completion}, {@code generate_content}, {@code embeddings}: a model call. */
  MODEL_CALL,
  /** Anything else: kept as a generic {@code span.recorded} event. */
  OTHER;

  private static final Set<String> MODEL_OPERATIONS =
      Set.of("chat", "text_completion", "generate_content", "embeddings", "completion", "generate");

  static GenAiOperation of(SpanAttributes a) {
    String operation = a.text("gen_ai.operation.name");
    if (operation != null) {
      switch (operation) {
        case "invoke_agent" -> {
          return INVOKE_AGENT;
        }
        case "create_agent" -> {
          return CREATE_AGENT;
        }
        case "execute_tool" -> {
          return EXECUTE_TOOL;
        }
        default -> {
          if (MODEL_OPERATIONS.contains(operation)) {
            return MODEL_CALL;
          }
        }
      }
    }
    String openInference = lower(a.text("openinference.span.kind"));
    if (openInference != null) {
      switch (openInference) {
        case "agent" -> {
          return INVOKE_AGENT;
        }
        case "tool" -> {
          return EXECUTE_TOOL;
        }
        case "llm", "embedding" -> {
          return MODEL_CALL;
        }
        default -> { }
      }
    }
    String traceloop = lower(a.text("traceloop.span.kind"));
    if ("agent".equals(traceloop)) {
      return INVOKE_AGENT;
    }
    if ("tool".equals(traceloop)) {
      return EXECUTE_TOOL;
    }
    if (a.text("llm.request.type") != null || a.hasAny(Names.INPUT_TOKENS) || a.hasAny(Names.OUTPUT_TOKENS)) {
      return MODEL_CALL;
    }
    return OTHER;
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  /** Attribute names, newest convention first. */
  static final class Names {
    static final String[] CONVERSATION = {"gen_ai.conversation.id", "session.id"};
    static final String[] AGENT = {"gen_ai.agent.id", "gen_ai.agent.name", "agent.name"};
    static final String[] AGENT_NAME = {"gen_ai.agent.name", "agent.name"};
    static final String[] MODEL = {"gen_ai.response.model", "gen_ai.request.model", "llm.response.model",
        "llm.request.model", "llm.model_name"};
    static final String[] PROVIDER = {"gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"};
    static final String[] INPUT_TOKENS = {"gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens",
        "llm.usage.prompt_tokens", "llm.token_count.prompt"};
    static final String[] OUTPUT_TOKENS = {"gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens",
        "llm.usage.completion_tokens", "llm.token_count.completion"};
    static final String[] TOTAL_TOKENS = {"llm.usage.total_tokens", "llm.token_count.total"};
    static final String[] TOOL = {"gen_ai.tool.name", "tool.name"};
    static final String ENTITY = "traceloop.entity.name";

    private Names() {}
  }
}
