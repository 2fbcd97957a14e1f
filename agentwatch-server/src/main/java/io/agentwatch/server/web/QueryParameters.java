package io.agentwatch.server.web;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters of a request's query string only. The servlet container's {@code getParameter}
 * also reads a form-encoded body, which consumes it; Agentwatch takes no form bodies, so its code
 * reads parameters from the URL alone and leaves the body to the endpoint.
 */
public final class QueryParameters {

  private QueryParameters() {}

  /** Every parameter of {@code query} (may be null) in order of appearance, decoded. */
  public static Map<String, List<String>> parse(String query) {
    Map<String, List<String>> parameters = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return parameters;
    }
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      parameters.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return parameters;
  }

  /** The first value of {@code name} in {@code query}, or null. */
  public static String first(String query, String name) {
    List<String> values = parse(query).get(name);
    return values == null ? null : values.getFirst();
  }

  private static String decode(String text) {
    try {
      return URLDecoder.decode(text, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      // A malformed escape: keep the text as sent rather than failing the whole request here.
      return text;
    }
  }
}
