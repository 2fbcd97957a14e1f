package io.agentwatch.server.cluster;

import io.agentwatch.core.auth.KeyService;
import io.agentwatch.server.stream.Connections;
import java.time.Duration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What every node of a cluster needs whatever its backends: revocations made on another node reach
 * this node's open connections.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "agentwatch.store", havingValue = "postgres")
public class ClusterConfiguration {

  /** Matches {@link KeyService}'s cache of answers, so both paths learn of a revocation as fast. */
  static final Duration REVOCATION_SWEEP = Duration.ofSeconds(10);

  @Bean(destroyMethod = "close")
  RevocationSweep revocationSweep(KeyService keys, Connections connections) {
    return new RevocationSweep(keys, connections).start(REVOCATION_SWEEP);
  }
}
