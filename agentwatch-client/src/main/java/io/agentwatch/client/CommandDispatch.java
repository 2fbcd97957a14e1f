package io.agentwatch.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Runs the agent's {@link CommandHandler} for each {@code command} frame, one at a time in arrival
 * order on a thread of its own, and emits {@code command.acknowledged} for it.
 *
 * <p>The acknowledgement's id is made from the command's id, and a command seen again (the server
 * may resend one whose acknowledgement it did not see) is not applied twice: its remembered outcome
 * is acknowledged again under the same id, which the server stores once.
 */
final class CommandDispatch implements AutoCloseable {

  static final String ACK_TYPE = "command.acknowledged";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final String ACK_PREFIX = "ack.";
  private static final int REMEMBERED = 1024;

  private final CommandHandler handler;
  private final Function<EventDraft, Emission> emit;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(Thread.ofVirtual()
      .name("agentwatch-commands").factory());
  private final Map<String, CommandOutcome> outcomes = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, CommandOutcome> eldest) {
      return size() > REMEMBERED;
    }
  };

  CommandDispatch(CommandHandler handler, Function<EventDraft, Emission> emit) {
    this.handler = handler;
    this.emit = emit;
  }

  /** Queues a command object from the server; never blocks the caller (the socket's thread). */
  void accept(JsonNode command) {
    try {
      executor.execute(() -> run(command));
    } catch (RejectedExecutionException e) {
      // Closed: the server learns nothing and may send the command again to the next connection.
    }
  }

  /** Applies one command and emits its acknowledgement; package-private so tests can drive it directly. */
  Emission run(JsonNode raw) {
    String id = text(raw, "id");
    String type = text(raw, "type");
    if (id == null || id.isBlank() || type == null) {
      // Without an id there is nothing to acknowledge; the frame is not a command we understand.
      return null;
    }
    Command command = new Command(id, type, text(raw, "reason"), text(raw, "taskId"), raw);
    CommandOutcome outcome;
    synchronized (outcomes) {
      outcome = outcomes.get(id);
    }
    if (outcome == null) {
      outcome = apply(command);
      synchronized (outcomes) {
        outcomes.put(id, outcome);
      }
    }
    return acknowledge(command, outcome);
  }

  private CommandOutcome apply(Command command) {
    if (handler == null) {
      return CommandOutcome.rejected("this agent takes no commands");
    }
    try {
      CommandOutcome outcome = handler.handle(command);
      return outcome == null ? CommandOutcome.done() : outcome;
    } catch (Exception e) {
      return CommandOutcome.rejected(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
  }

  private Emission acknowledge(Command command, CommandOutcome outcome) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("commandId", command.id());
    data.put("type", command.type());
    data.put("outcome", outcome.applied() ? "applied" : "rejected");
    if (outcome.reason() != null) {
      data.put("reason", outcome.reason());
    }
    boolean idIsValid = ID.matcher(command.id()).matches();
    String ackId = idIsValid && command.id().length() <= 64 - ACK_PREFIX.length() ? ACK_PREFIX + command.id() : null;
    while (true) {
      // The acknowledgement belongs to the run the command was about, if it named one.
      EventDraft draft = EventDraft.of(ACK_TYPE, data).id(ackId).run(text(command.raw(), "runId"));
      if (idIsValid) {
        draft.parent(command.id());
      }
      Emission emission = emit.apply(draft);
      if (emission.status() != Emission.Status.BACK_PRESSURE) {
        return emission;
      }
      // The buffer is full of events that must not be evicted; the acknowledgement waits its turn.
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return emission;
      }
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value == null || !value.isString() ? null : value.stringValue();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
