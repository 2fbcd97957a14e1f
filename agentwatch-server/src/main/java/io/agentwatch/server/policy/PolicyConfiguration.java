package io.agentwatch.server.policy;

import io.agentwatch.analytics.AnalyticsFollower;
import io.agentwatch.core.log.EventLog;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Budgets and policies: definitions in the log, folded by the analytics. */
@Configuration(proxyBeanMethods = false)
public class PolicyConfiguration {

  @Bean
  Definitions definitions(AnalyticsFollower analytics, EventLog log, Clock clock) {
    return new Definitions(analytics, log, clock);
  }
}
