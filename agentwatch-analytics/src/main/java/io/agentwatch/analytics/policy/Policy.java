package io.agentwatch.analytics.policy;

import io.agentwatch.analytics.alert.Severity;
import io.agentwatch.analytics.config.Fields;
import io.agentwatch.analytics.config.InvalidDefinitionException;
import io.agentwatch.model.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An automatic response to findings: when a finding of one of {@code detectors}, at least as
 * severe as {@code minSeverity} (and, if given, in run {@code runId} or naming agent
 * {@code agentId}) is made, {@code action} the agents it names. In {@code enforce} mode the
 * command goes out at once; in {@code dry-run} only a {@code policy.matched} is recorded. A
 * {@code cooldown} keeps the policy from acting on the same agent again too soon, and
 * {@code capActions} per {@code capWindow} bounds what it does in all.
 *
 * @param targets {@code all} agents the finding names, or only the {@code first} (the most responsible)
 */
public record Policy(String id, String name, Set<String> detectors, Severity minSeverity, String runId,
                     String agentId, Action action, Mode mode, Duration cooldown, int capActions, Duration capWindow,
                     Targets targets) {

  public enum Action {
    PAUSE, QUARANTINE, CANCEL, NOTIFY;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the action sends a command to agents (notify only records). */
    public boolean commands() {
      return this != NOTIFY;
    }
  }

  public enum Mode {
    ENFORCE("enforce"), DRY_RUN("dry-run");

    final String label;

    Mode(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  public enum Targets {
    ALL, FIRST;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final String SET = "policy.set";
  public static final String DELETED = "policy.deleted";
  public static final String MATCHED = "policy.matched";
  public static final Duration DEFAULT_COOLDOWN = Duration.ofMinutes(5);
  public static final int DEFAULT_CAP = 10;
  public static final Duration DEFAULT_CAP_WINDOW = Duration.ofHours(1);
  private static final Set<String> FIELDS = Set.of("id", "name", "match", "action", "mode", "cooldown", "cap",
      "targets");
  private static final Set<String> MATCH_FIELDS = Set.of("detectors", "severity", "runId", "agentId");
  private static final Set<String> CAP_FIELDS = Set.of("actions", "per");

  public Policy {
    Objects.requireNonNull(id, "id");
    detectors = Set.copyOf(detectors);
  }

  public boolean enforced() {
    return mode == Mode.ENFORCE;
  }

  /**
   * Reads and checks a definition (the body of {@code POST /api/v1/policies}, or a stored one);
   * {@code id} is used when it names none.
   *
   * @param detectors the detector names a policy may match
   * @throws InvalidDefinitionException naming the first field at fault
   */
  public static Policy parse(JsonNode body, String id, List<String> detectors) {
    if (body == null || !body.isObject()) {
      throw new InvalidDefinitionException("body", "must be a JSON object like {\"match\":{\"detectors\":"
          + "[\"routing_loop\"]},\"action\":\"pause\",\"mode\":\"enforce\"}");
    }
    Fields.only(body, "", FIELDS);
    String given = Fields.id(body, "id", "");
    String name = Fields.text(body, "name", "");
    JsonNode match = Fields.object(body, "match", "");
    if (match == null) {
      throw new InvalidDefinitionException("match", "is required: a policy that matches every alert is refused;"
          + " name its detectors, e.g. {\"detectors\":[\"routing_loop\"]}");
    }
    Fields.only(match, "match.", MATCH_FIELDS);
    Set<String> matched = detectorsOf(match, detectors);
    String severity = Fields.oneOf(match, "severity", "match.", Set.of("info", "warning", "critical"));
    String runId = Fields.text(match, "runId", "match.");
    String agentId = Fields.text(match, "agentId", "match.");
    Action action = Action.valueOf(Fields.required(Fields.oneOf(body, "action", "",
        Set.of("pause", "quarantine", "cancel", "notify")), "action").toUpperCase(Locale.ROOT));
    String modeText = Fields.oneOf(body, "mode", "", Set.of("enforce", "dry-run"));
    Mode mode = "enforce".equals(modeText) ? Mode.ENFORCE : Mode.DRY_RUN;
    Duration cooldown = Fields.duration(body, "cooldown", "", Duration.ZERO, Duration.ofDays(1));
    JsonNode cap = Fields.object(body, "cap", "");
    Integer capActions = null;
    Duration capWindow = null;
    if (cap != null) {
      Fields.only(cap, "cap.", CAP_FIELDS);
      capActions = Fields.whole(cap, "actions", "cap.", 1, 1000);
      capWindow = Fields.duration(cap, "per", "cap.", Duration.ofMinutes(1), Duration.ofDays(1));
    }
    String targets = Fields.oneOf(body, "targets", "", Set.of("all", "first"));
    return new Policy(given != null ? given : id, name, matched, severity == null ? Severity.INFO : Severity.of(severity),
        runId, agentId, action, mode, cooldown != null ? cooldown : DEFAULT_COOLDOWN,
        capActions != null ? capActions : DEFAULT_CAP, capWindow != null ? capWindow : DEFAULT_CAP_WINDOW,
        "first".equals(targets) ? Targets.FIRST : Targets.ALL);
  }

  private static Set<String> detectorsOf(JsonNode match, List<String> known) {
    JsonNode list = match.get("detectors");
    if (list == null || list.isNull() || (list.isArray() && list.isEmpty())) {
      throw new InvalidDefinitionException("match.detectors", "must name at least one detector: a policy that"
          + " matches every alert is refused");
    }
    if (!list.isArray()) {
      throw new InvalidDefinitionException("match.detectors", "must be an array of detector names like"
          + " [\"routing_loop\"]");
    }
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode d = list.get(i);
      if (!d.isString() || !known.contains(d.stringValue())) {
        throw new InvalidDefinitionException("match.detectors[" + i + "]", "must be one of "
            + String.join(", ", known) + " but was " + d);
      }
      if (!out.add(d.stringValue())) {
        throw new InvalidDefinitionException("match.detectors[" + i + "]", "names " + d + " twice");
      }
    }
    return out;
  }

  /**
   * This policy with {@code patch}'s fields replaced (a merge patch: {@code match} and {@code cap}
   * are merged field by field, {@code null} removes a field), checked again as a whole.
   */
  public Policy patched(JsonNode patch, List<String> detectors) {
    if (patch == null || !patch.isObject()) {
      throw new InvalidDefinitionException("body", "must be a JSON object with the fields to change");
    }
    if (patch.has("id") && !id.equals(patch.get("id").asString(""))) {
      throw new InvalidDefinitionException("id", "cannot be changed (it is " + id + ")");
    }
    ObjectNode merged = toJson();
    for (Map.Entry<String, JsonNode> f : patch.properties()) {
      JsonNode mine = merged.get(f.getKey());
      if (f.getValue().isObject() && mine != null && mine.isObject()) {
        ObjectNode sub = ((ObjectNode) mine).deepCopy();
        f.getValue().properties().forEach(p -> {
          if (p.getValue().isNull()) {
            sub.remove(p.getKey());
          } else {
            sub.set(p.getKey(), p.getValue());
          }
        });
        merged.set(f.getKey(), sub);
      } else if (f.getValue().isNull()) {
        merged.remove(f.getKey());
      } else {
        merged.set(f.getKey(), f.getValue());
      }
    }
    return parse(merged, id, detectors);
  }

  /** The definition as stored in {@code policy.set} and answered by the API. */
  public ObjectNode toJson() {
    ObjectNode n = EventCodec.JSON.createObjectNode();
    n.put("id", id);
    if (name != null) {
      n.put("name", name);
    }
    ObjectNode match = n.putObject("match");
    ArrayNode list = match.putArray("detectors");
    new ArrayList<>(detectors).stream().sorted().forEach(list::add);
    match.put("severity", minSeverity.label());
    if (runId != null) {
      match.put("runId", runId);
    }
    if (agentId != null) {
      match.put("agentId", agentId);
    }
    n.put("action", action.label());
    n.put("mode", mode.label());
    n.put("cooldown", Fields.format(cooldown));
    ObjectNode cap = n.putObject("cap");
    cap.put("actions", capActions);
    cap.put("per", Fields.format(capWindow));
    n.put("targets", targets.label());
    return n;
  }

  /** How people call it: its name, else e.g. "pause on routing_loop". */
  public String title() {
    return name != null ? name : action.label() + " on " + String.join(", ", detectors.stream().sorted().toList());
  }
}
