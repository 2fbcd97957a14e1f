package io.agentwatch.analytics.alert;

import java.time.Instant;

/**
 * What a policy did about an alert: a command it issued ({@code command.issued}) or a match it only
 * recorded ({@code policy.matched}: dry-run, notify, or held back by its cooldown or cap).
 *
 * @param eventId the event that records it (a command's id is its event id)
 * @param kind    {@code command} or {@code match}
 * @param type    the command: pause, quarantine, cancel; or notify
 * @param outcome for a match: {@code dry-run}, {@code notified}, {@code cooldown} or {@code cap}; null for a command
 */
public record AlertAction(String eventId, String kind, String policyId, String agentId, String type, String outcome,
                          String finding, Instant at) {}
