package io.agentwatch.server.cluster;

import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Checks the backend selection before anything is built (every deployment). */
@Configuration(proxyBeanMethods = false)
public class DeploymentConfiguration {

  /**
   * Binds {@code agentwatch.log}, {@code agentwatch.store} and {@code agentwatch.backplane} before
   * any bean is made, so a misspelt backend or an impossible pair fails with the setting's name and
   * value rather than as a missing {@code EventLog} (the backends' configurations match neither).
   */
  @Bean
  static BeanFactoryPostProcessor deploymentCheck(Environment environment) {
    return factory -> Binder.get(environment).bindOrCreate("agentwatch", Deployment.class);
  }
}
