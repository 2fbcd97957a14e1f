package io.agentwatch.client;

import tools.jackson.databind.JsonNode;

/**
 * An instruction the server relayed to this agent ({@code {"op":"command","command":{…}}}).
 *
 * @param id     the command's id; the acknowledgement event names it as its {@code parentId}
 * @param type   {@code pause}, {@code resume}, {@code cancel}, {@code quarantine}, or a type added later
 * @param reason why an operator sent it, or null
 * @param taskId the task it is about (for {@code cancel}), or null
 * @param raw    the whole command object, for fields added later
 */
public record Command(String id, String type, String reason, String taskId, JsonNode raw) {}
