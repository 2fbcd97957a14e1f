package io.agentwatch.server.otlp;

import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.StreamTickets;
import io.agentwatch.server.auth.ApiKeyFilter;
import io.agentwatch.server.config.AgentwatchProperties;
import io.agentwatch.server.stream.OriginPolicy;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * OTLP lives at {@code /v1/traces}, outside {@code /api}, where exporters expect it: this puts it
 * behind the same API keys ({@code Authorization: Bearer} or {@code x-api-key}, as exporters'
 * header settings send them) and the same browser origins.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
public class OtlpConfiguration implements WebMvcConfigurer {

  private final OriginPolicy origins;

  public OtlpConfiguration(OriginPolicy origins) {
    this.origins = origins;
  }

  @Bean
  FilterRegistrationBean<ApiKeyFilter> otlpKeyFilter(KeyService keys, StreamTickets tickets,
      AgentwatchProperties properties) {
    FilterRegistrationBean<ApiKeyFilter> registration =
        new FilterRegistrationBean<>(new ApiKeyFilter(keys, tickets, properties));
    registration.addUrlPatterns("/v1/*");
    registration.setOrder(0);
    return registration;
  }

  @Override
  public void addCorsMappings(CorsRegistry registry) {
    if (!origins.configured().isEmpty()) {
      registry.addMapping("/v1/traces")
          .allowedOriginPatterns(origins.configured().toArray(String[]::new))
          .allowedMethods("POST", "OPTIONS")
          .allowedHeaders("*")
          .exposedHeaders("Retry-After");
    }
  }
}
