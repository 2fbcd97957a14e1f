package io.agentwatch.server.cluster;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code agentwatch.redis.*}; Redis itself is switched on by {@code agentwatch.redis-url}.
 *
 * @param keyPrefix starts every key and channel, so deployments can share a server
 * @param timeout   longest wait for one command
 */
@ConfigurationProperties("agentwatch.redis")
public record RedisProperties(String keyPrefix, Duration timeout) {}
