package io.agentwatch.server.command;

import io.agentwatch.core.log.EventFilter;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.store.EventPage;
import io.agentwatch.core.store.EventQuery;
import io.agentwatch.core.store.EventStore;
import io.agentwatch.model.StoredEvent;
import io.agentwatch.server.command.AgentChannels.AgentKey;
import io.agentwatch.server.command.AgentChannels.Channel;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Delivers commands to connected agents. It follows the log rather than the HTTP request that
 * issued a command, so a command reaches the agent on whichever node holds its connection, and an
 * agent that says {@code hello} later gets every command of the last {@link #PENDING_FOR} it has
 * not acknowledged yet. Delivery is at least once: agents drop a command id they already answered.
 *
 * <p>Frames to one agent go out in log order on a virtual thread of their own, so a slow agent
 * socket delays neither the log nor any other agent.
 */
public final class CommandDispatcher implements Consumer<List<StoredEvent>>, AutoCloseable {

  public static final String ISSUED = "command.issued";
  public static final String ACKNOWLEDGED = "command.acknowledged";
  static final Duration PENDING_FOR = Duration.ofMinutes(15);
  private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);

  private final AgentChannels channels;
  private final EventStore store;
  private final EventLog log;
  private final Clock clock;
  private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
  private final Map<AgentKey, CompletableFuture<Void>> lanes = new ConcurrentHashMap<>();
  private AutoCloseable tail;

  public CommandDispatcher(AgentChannels channels, EventStore store, EventLog log, Clock clock) {
    this.channels = channels;
    this.store = store;
    this.log = log;
    this.clock = clock;
  }

  /** Starts following the log and answering hellos; call once. */
  public synchronized CommandDispatcher start() {
    if (tail == null) {
      channels.onHello(this::sendPending);
      tail = log.tail(this);
    }
    return this;
  }

  /** Log listener: forwards each newly appended command to the connections of its agent. */
  @Override
  public void accept(List<StoredEvent> appended) {
    for (StoredEvent stored : appended) {
      if (ISSUED.equals(stored.event().type())) {
        AgentKey agent = new AgentKey(stored.tenant(), stored.event().agentId());
        Map<String, ?> frame = frame(stored);
        for (Channel channel : channels.of(agent)) {
          enqueue(agent, () -> channel.frame(frame));
        }
      }
    }
  }

  /** The {@code command} frame (API.md) for a recorded {@code command.issued} event. */
  static Map<String, ?> frame(StoredEvent stored) {
    JsonNode data = stored.event().data();
    Map<String, Object> command = new LinkedHashMap<>();
    command.put("id", stored.event().id());
    command.put("type", data.path("type").asString());
    putIfPresent(command, "reason", data.get("reason"));
    putIfPresent(command, "taskId", data.get("taskId"));
    if (stored.event().runId() != null) {
      command.put("runId", stored.event().runId());
    }
    command.put("issuedAt", stored.event().ts().toString());
    return Map.of("op", "command", "command", command);
  }

  private static void putIfPresent(Map<String, Object> map, String field, JsonNode value) {
    if (value != null && value.isString()) {
      map.put(field, value.stringValue());
    }
  }

  private void sendPending(AgentKey agent, Channel channel) {
    enqueue(agent, () -> pending(agent).forEach(command -> channel.frame(frame(command))));
  }

  /** Commands of the last {@link #PENDING_FOR} to the agent that no acknowledgement answers, oldest first. */
  List<StoredEvent> pending(AgentKey agent) {
    EventPage page = store.query(agent.tenant(), new EventQuery(
        new EventFilter(null, agent.agentId(), List.of(ISSUED, ACKNOWLEDGED)),
        clock.instant().minus(PENDING_FOR), null, null, EventQuery.MAX_LIMIT));
    Set<String> answered = new HashSet<>();
    for (StoredEvent e : page.events()) {
      if (ACKNOWLEDGED.equals(e.event().type())) {
        answered.add(e.event().data().path("commandId").asString());
      }
    }
    return page.events().stream()
        .filter(e -> ISSUED.equals(e.event().type()) && !answered.contains(e.event().id()))
        .toList();
  }

  private void enqueue(AgentKey agent, Runnable send) {
    lanes.compute(agent, (k, tail) -> (tail == null ? CompletableFuture.<Void>completedFuture(null) : tail)
        .thenRunAsync(() -> {
          try {
            send.run();
          } catch (RuntimeException e) {
            LOG.warn("could not send a command to agent {} of tenant {}: {}", k.agentId(), k.tenant(), e.toString());
          }
        }, senders));
    // Drop finished lanes so idle agents cost nothing.
    lanes.computeIfPresent(agent, (k, tail) -> tail.isDone() ? null : tail);
  }

  @Override
  public synchronized void close() {
    if (tail != null) {
      try {
        tail.close();
      } catch (Exception e) {
        LOG.debug("closing the log tail failed", e);
      }
    }
    senders.shutdownNow();
  }
}
