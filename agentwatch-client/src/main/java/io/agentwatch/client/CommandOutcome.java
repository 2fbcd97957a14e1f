package io.agentwatch.client;

/**
 * What an agent did with a {@link Command}, reported back to the server as a
 * {@code command.acknowledged} event.
 *
 * @param applied whether the agent carried the command out
 * @param reason  why it was rejected (or a note on how it was applied); may be null
 */
public record CommandOutcome(boolean applied, String reason) {

  /** The command was carried out. */
  public static CommandOutcome done() {
    return new CommandOutcome(true, null);
  }

  /** The command was not carried out, for {@code reason}. */
  public static CommandOutcome rejected(String reason) {
    return new CommandOutcome(false, reason);
  }
}
