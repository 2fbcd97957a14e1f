package io.agentwatch.server.config;

import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.StreamTickets;
import io.agentwatch.core.ingest.Ingestor;
import io.agentwatch.core.stream.Fanout;
import io.agentwatch.server.auth.ApiKeyFilter;
import io.agentwatch.server.auth.CallerResolver;
import io.agentwatch.server.command.AgentChannels;
import io.agentwatch.server.ingest.IngestController;
import io.agentwatch.server.ingest.TenantRateLimits;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.stream.Connections;
import io.agentwatch.server.stream.EventSocketHandler;
import io.agentwatch.server.stream.OriginPolicy;
import io.agentwatch.server.stream.SocketHandshake;
import io.agentwatch.server.web.JsonBodyFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.socket.config.annotation.EnableWebSocket;
import org.springframework.web.socket.config.annotation.WebSocketConfigurer;
import org.springframework.web.socket.config.annotation.WebSocketHandlerRegistry;
import org.springframework.web.socket.server.jetty.JettyRequestUpgradeStrategy;
import org.springframework.web.socket.server.support.DefaultHandshakeHandler;

/** HTTP and WebSocket wiring: authentication, CORS for configured origins, the socket endpoint. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
@EnableWebSocket
public class WebConfiguration implements WebMvcConfigurer {

  /** The largest WebSocket message: the HTTP body limit plus room for the publish envelope. */
  public static final long MAX_SOCKET_MESSAGE_BYTES = IngestController.MAX_BODY_BYTES + 64 * 1024;
  /** Binary messages are refused with an error frame; this bounds what is read to say so. */
  private static final long BINARY_LIMIT_BYTES = 64 * 1024;

  private final OriginPolicy origins;

  public WebConfiguration(OriginPolicy origins) {
    this.origins = origins;
  }

  @Bean
  FilterRegistrationBean<ApiKeyFilter> apiKeyFilter(KeyService keys, StreamTickets tickets,
      AgentwatchProperties properties) {
    FilterRegistrationBean<ApiKeyFilter> registration =
        new FilterRegistrationBean<>(new ApiKeyFilter(keys, tickets, properties));
    registration.addUrlPatterns("/api/*");
    registration.setOrder(0);
    return registration;
  }

  /** After authentication: JSON bodies declared with another type are read as JSON ({@link JsonBodyFilter}). */
  @Bean
  FilterRegistrationBean<JsonBodyFilter> jsonBodyFilter() {
    FilterRegistrationBean<JsonBodyFilter> registration =
        new FilterRegistrationBean<>(new JsonBodyFilter(IngestController.MAX_BODY_BYTES));
    registration.addUrlPatterns("/api/*");
    registration.setOrder(1);
    return registration;
  }

  /**
   * API answers are live state: never stored by a browser. Their ETags version the editable fields
   * (for If-Match), not the whole answer, so a stored copy revalidated with If-None-Match would
   * come back 304 with counters long out of date.
   */
  @Override
  public void addInterceptors(InterceptorRegistry registry) {
    registry.addInterceptor(new HandlerInterceptor() {
      @Override
      public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
        response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        return true;
      }
    }).addPathPatterns("/api/**");
  }

  @Override
  public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
    resolvers.add(new CallerResolver());
  }

  @Override
  public void addCorsMappings(CorsRegistry registry) {
    if (!origins.configured().isEmpty()) {
      registry.addMapping("/api/**")
          .allowedOriginPatterns(origins.configured().toArray(String[]::new))
          .allowedMethods("GET", "POST", "PATCH", "DELETE", "OPTIONS")
          .allowedHeaders("*")
          .exposedHeaders("ETag", "Retry-After");
    }
  }

  @Bean
  EventSocketHandler eventSocketHandler(Ingestor ingestor, Fanout fanout, TenantRateLimits rateLimits,
      Lifecycle lifecycle, Connections connections, KeyService keys, AgentChannels agents) {
    return new EventSocketHandler(ingestor, fanout, rateLimits, lifecycle, connections, keys, agents);
  }

  @Bean
  WebSocketConfigurer eventSocketEndpoint(EventSocketHandler handler, Connections connections) {
    JettyRequestUpgradeStrategy jetty = new JettyRequestUpgradeStrategy();
    jetty.addWebSocketConfigurer(socket -> {
      // A message (a publish) may be as large as an HTTP batch, plus its envelope. Jetty assembles
      // its fragments in a buffer that grows only as they arrive, so an idle socket costs nothing.
      socket.setMaxTextMessageSize(MAX_SOCKET_MESSAGE_BYTES);
      socket.setMaxBinaryMessageSize(BINARY_LIMIT_BYTES);
      // As before: an idle socket stays open; clients ping (the dashboard every 20 s).
      socket.setIdleTimeout(Duration.ZERO);
    });
    return (WebSocketHandlerRegistry registry) -> registry.addHandler(handler, "/api/v1/ws")
        .setHandshakeHandler(new DefaultHandshakeHandler(jetty))
        .addInterceptors(new SocketHandshake(origins, connections))
        .setAllowedOriginPatterns("*");
  }
}
