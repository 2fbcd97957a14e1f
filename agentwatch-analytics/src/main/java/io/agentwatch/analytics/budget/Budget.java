package io.agentwatch.analytics.budget;

import io.agentwatch.analytics.config.Fields;
import io.agentwatch.analytics.config.InvalidDefinitionException;
import io.agentwatch.model.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A spending limit on model use: tokens, cost or model calls, per agent, per run or for the
 * whole tenant, over a rolling window or (without one) in total. E.g. "$5 per run" or "200k tokens
 * per agent per hour". The {@code budget} detector warns at {@code warnAt} of the limit and raises
 * at the limit.
 *
 * @param agentId with {@code per} agent: only this agent (else every agent, each its own budget)
 * @param runId   with {@code per} run: only this run (else every run, each its own budget)
 * @param window  the rolling window, or null: everything spent counts (for a run: the whole run)
 * @param warnAt  the share of the limit that warns, in (0, 1)
 */
public record Budget(String id, String name, Metric metric, double limit, Per per, String agentId, String runId,
                     Duration window, double warnAt) {

  /** What a budget limits; {@code label} is how definitions and answers name it. */
  public enum Metric {
    TOKENS("tokens", "tokens"), COST_USD("costUsd", "USD"), LLM_CALLS("llmCalls", "model calls");

    final String label;
    final String unit;

    Metric(String label, String unit) {
      this.label = label;
      this.unit = unit;
    }

    public String label() {
      return label;
    }

    static Metric of(String label) {
      for (Metric m : values()) {
        if (m.label.equals(label)) {
          return m;
        }
      }
      return null;
    }

    /** A spend as a person reads it: {@code $5.12}, {@code 212,400 tokens}, {@code 31 model calls}. */
    public String amount(double v) {
      return this == COST_USD ? String.format(Locale.ROOT, "$%.2f", v)
          : String.format(Locale.ROOT, "%,.0f %s", v, unit);
    }
  }

  /** Whose spending a budget counts. */
  public enum Per {
    AGENT, RUN, TENANT;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final Duration MAX_WINDOW = Duration.ofDays(31);
  public static final double DEFAULT_WARN_AT = 0.8;
  private static final double MAX_LIMIT = 1e15;
  private static final Set<String> FIELDS = Set.of("id", "name", "metric", "limit", "per", "agentId", "runId",
      "window", "warnAt");

  public Budget {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(metric, "metric");
    Objects.requireNonNull(per, "per");
  }

  /**
   * Reads and checks a definition (the body of {@code POST /api/v1/budgets}); {@code id} is used
   * when the body names none.
   *
   * @throws InvalidDefinitionException naming the first field at fault
   */
  public static Budget parse(JsonNode body, String id) {
    if (body == null || !body.isObject()) {
      throw new InvalidDefinitionException("body", "must be a JSON object like "
          + "{\"metric\":\"costUsd\",\"limit\":5,\"per\":\"run\"}");
    }
    Fields.only(body, "", FIELDS);
    String given = Fields.id(body, "id", "");
    String name = Fields.text(body, "name", "");
    String metricText = Fields.required(Fields.oneOf(body, "metric", "", Set.of("tokens", "costUsd", "llmCalls")),
        "metric");
    Metric metric = Metric.of(metricText);
    Double limit = Fields.number(body, "limit", "");
    if (limit == null) {
      throw new InvalidDefinitionException("limit", "is required");
    }
    if (!(limit > 0) || limit > MAX_LIMIT) {
      throw new InvalidDefinitionException("limit", "must be a positive amount up to 1e15 but was " + limit);
    }
    if (metric != Metric.COST_USD && limit != Math.rint(limit)) {
      throw new InvalidDefinitionException("limit", "must be a whole number of " + metric.unit + " but was " + limit);
    }
    Per per = Per.valueOf(Fields.required(Fields.oneOf(body, "per", "", Set.of("agent", "run", "tenant")), "per")
        .toUpperCase(Locale.ROOT));
    String agentId = Fields.text(body, "agentId", "");
    String runId = Fields.text(body, "runId", "");
    if (agentId != null && per != Per.AGENT) {
      throw new InvalidDefinitionException("agentId", "only a budget per agent may name an agent, but this one is per "
          + per.label());
    }
    if (runId != null && per != Per.RUN) {
      throw new InvalidDefinitionException("runId", "only a budget per run may name a run, but this one is per "
          + per.label());
    }
    Duration window = Fields.duration(body, "window", "", Duration.ofSeconds(1), MAX_WINDOW);
    Double warnAt = Fields.number(body, "warnAt", "");
    if (warnAt != null && !(warnAt > 0 && warnAt < 1)) {
      throw new InvalidDefinitionException("warnAt", "must be a share of the limit between 0 and 1 (e.g. 0.8) but was "
          + warnAt);
    }
    return new Budget(given != null ? given : id, name, metric, limit, per, agentId, runId, window,
        warnAt != null ? warnAt : DEFAULT_WARN_AT);
  }

  /** The definition as stored in {@code budget.set} and answered by the API. */
  public ObjectNode toJson() {
    ObjectNode n = EventCodec.JSON.createObjectNode();
    n.put("id", id);
    if (name != null) {
      n.put("name", name);
    }
    n.put("metric", metric.label);
    n.put("limit", limit);
    n.put("per", per.label());
    if (agentId != null) {
      n.put("agentId", agentId);
    }
    if (runId != null) {
      n.put("runId", runId);
    }
    if (window != null) {
      n.put("window", Fields.format(window));
    }
    n.put("warnAt", warnAt);
    return n;
  }

  /** How people call it: its name, else e.g. "$5.00 per run" or "200,000 tokens per agent per 1h". */
  public String title() {
    if (name != null) {
      return name;
    }
    return metric.amount(limit) + " per " + per.label() + (window == null ? "" : " per " + Fields.format(window));
  }

  /** Whether the budget counts spending of this agent in this run (run null: outside runs). */
  boolean covers(String agent, String run) {
    return switch (per) {
      case AGENT -> agentId == null || agentId.equals(agent);
      case RUN -> run != null && (runId == null || runId.equals(run));
      case TENANT -> true;
    };
  }

  /** The subject whose spending this event adds to: the agent, the run, or "" for the tenant. */
  String subject(String agent, String run) {
    return switch (per) {
      case AGENT -> agent;
      case RUN -> run;
      case TENANT -> "";
    };
  }

  /** The event that stores it: only the API writes it, clients may not. */
  public static final String SET = "budget.set";
  public static final String DELETED = "budget.deleted";

  /** The moment a definition was stored, for the answers. */
  public record Stored(Budget budget, Instant at, String by) {}
}
