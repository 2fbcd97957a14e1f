package io.agentwatch.server.demo;

import io.agentwatch.core.auth.KeyService;
import io.agentwatch.server.config.AgentwatchProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The simulated agents, only with {@code AGENTWATCH_DEMO=true}. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("agentwatch.demo")
public class DemoConfiguration {

  @Bean
  DemoAgents demoAgents(KeyService keys, AgentwatchProperties properties) {
    return new DemoAgents(keys, properties);
  }
}
