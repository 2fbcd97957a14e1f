package io.agentwatch.server.stream;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which browser origins may open streams and call the API: the server's own (the origin whose
 * host and port equal the request's {@code Host}), plus those configured in
 * {@code AGENTWATCH_ALLOWED_ORIGINS} ({@code *} for any). Requests without {@code Origin} (agents,
 * the CLI, curl) are not browser requests and pass.
 */
public final class OriginPolicy {

  private final List<String> allowed;

  public OriginPolicy(List<String> allowed) {
    this.allowed = allowed.stream().map(OriginPolicy::normalise).toList();
  }

  public boolean allows(String origin, String host) {
    if (origin == null) {
      return true;
    }
    String o = normalise(origin);
    if (allowed.contains("*") || allowed.contains(o)) {
      return true;
    }
    try {
      URI uri = URI.create(o);
      if (uri.getHost() == null || host == null) {
        return false;
      }
      String originHost = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
      String defaultPortHost = uri.getHost() + (o.startsWith("https:") ? ":443" : ":80");
      String h = host.toLowerCase(Locale.ROOT);
      return h.equals(originHost) || (uri.getPort() < 0 && h.equals(defaultPortHost));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  public List<String> configured() {
    return allowed;
  }

  private static String normalise(String origin) {
    String o = origin.trim().toLowerCase(Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }
}
