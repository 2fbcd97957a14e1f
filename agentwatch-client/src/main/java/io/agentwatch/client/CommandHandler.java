package io.agentwatch.client;

/**
 * Receives the commands the server sends to this client's agent. Commands arrive one at a time, in
 * the order sent, on a thread of the client's own (never the socket's), so a handler may take its
 * time. When it returns the client emits {@code command.acknowledged}; an exception thrown counts
 * as a rejection with the exception's message.
 */
@FunctionalInterface
public interface CommandHandler {

  CommandOutcome handle(Command command) throws Exception;
}
