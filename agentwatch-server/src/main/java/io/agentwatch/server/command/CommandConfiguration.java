package io.agentwatch.server.command;

import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.store.EventStore;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Commands to agents: who is connected, and the log follower that delivers what was issued. */
@Configuration(proxyBeanMethods = false)
public class CommandConfiguration {

  @Bean
  AgentChannels agentChannels() {
    return new AgentChannels();
  }

  @Bean(destroyMethod = "close")
  CommandDispatcher commandDispatcher(AgentChannels channels, EventStore store, EventLog log, Clock clock) {
    return new CommandDispatcher(channels, store, log, clock).start();
  }
}
