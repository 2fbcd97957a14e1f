package io.agentwatch.server.command;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The agents connected to this node that announced themselves with a {@code hello} frame, so that
 * commands can reach them. An agent may hold several connections (a reconnect racing the old
 * socket's close); a command goes to each. Thread-safe.
 */
public final class AgentChannels {

  /** Where frames for one connected agent go; sending may block on a slow socket. */
  public interface Channel {
    void frame(Map<String, ?> frame);
  }

  /** An agent of a tenant. */
  public record AgentKey(String tenant, String agentId) {}

  private final Map<AgentKey, Set<Channel>> open = new ConcurrentHashMap<>();
  private final List<BiConsumer<AgentKey, Channel>> helloListeners = new CopyOnWriteArrayList<>();

  /**
   * Registers {@code channel} as a connection of the agent: from now on it counts as connected and
   * commands issued for the agent are sent to it. The connection then welcomes the agent and calls
   * {@link #welcomed}.
   */
  public void register(AgentKey agent, Channel channel) {
    open.computeIfAbsent(agent, k -> ConcurrentHashMap.newKeySet()).add(channel);
  }

  /** Tells the hello listeners (which send the commands waiting for the agent). */
  public void welcomed(AgentKey agent, Channel channel) {
    helloListeners.forEach(l -> l.accept(agent, channel));
  }

  public void gone(AgentKey agent, Channel channel) {
    open.computeIfPresent(agent, (k, channels) -> {
      channels.remove(channel);
      return channels.isEmpty() ? null : channels;
    });
  }

  public Set<Channel> of(AgentKey agent) {
    return Set.copyOf(open.getOrDefault(agent, Set.of()));
  }

  public boolean isConnected(AgentKey agent) {
    return open.containsKey(agent);
  }

  /** Called after every welcome, on the connection's own thread; must not block. */
  public void onHello(BiConsumer<AgentKey, Channel> listener) {
    helloListeners.add(listener);
  }
}
