package io.agentwatch.server.auth;

import io.agentwatch.server.config.AgentwatchProperties;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/auth}, the one API path open without a key: {@code {"authRequired": true}}
 * tells a sign-in page whether to ask for a key, without a request that fails with 401 (which a
 * browser logs as an error on a page the user has not touched yet). It says nothing a caller could
 * not learn by trying any other path without a key.
 */
@RestController
public class AuthModeController {

  /** The path {@link ApiKeyFilter} lets through unauthenticated (GET only). */
  public static final String PATH = "/api/v1/auth";

  private final AgentwatchProperties properties;

  public AuthModeController(AgentwatchProperties properties) {
    this.properties = properties;
  }

  @GetMapping(PATH)
  ResponseEntity<Map<String, Object>> mode() {
    return ResponseEntity.ok(Map.of("authRequired", properties.auth()));
  }
}
