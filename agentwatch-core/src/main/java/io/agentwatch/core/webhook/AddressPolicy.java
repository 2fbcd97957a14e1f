package io.agentwatch.core.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Keeps webhooks from reaching into the server's own network (server-side request forgery): a
 * URL whose host resolves to a loopback, link-local (including the cloud metadata address
 * 169.254.169.254), private (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), unspecified,
 * broadcast or multicast address is refused, unless private addresses are allowed explicitly.
 * Checked when a webhook is made and again before every attempt, since DNS answers may change.
 */
public final class AddressPolicy {

  /** Resolves a host name (or IP literal) to its addresses. */
  @FunctionalInterface
  public interface Resolver {
    InetAddress[] resolve(String host) throws UnknownHostException;
  }

  private final boolean allowPrivate;
  private final Resolver resolver;

  public AddressPolicy(boolean allowPrivate) {
    this(allowPrivate, InetAddress::getAllByName);
  }

  public AddressPolicy(boolean allowPrivate, Resolver resolver) {
    this.allowPrivate = allowPrivate;
    this.resolver = resolver;
  }

  /** Whether private and loopback addresses are allowed. */
  public boolean allowsPrivate() {
    return allowPrivate;
  }

  /**
   * Resolves the URL's host and checks every address it has.
   *
   * @throws RefusedAddressException when the host does not resolve or an address is not allowed
   */
  public void check(URI url) {
    String host = url.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    InetAddress[] addresses;
    try {
      addresses = resolver.resolve(host);
    } catch (UnknownHostException e) {
      throw new RefusedAddressException("url host '" + host + "' does not resolve to an address");
    }
    if (allowPrivate) {
      return;
    }
    for (InetAddress a : addresses) {
      String kind = forbiddenKind(a);
      if (kind != null) {
        throw new RefusedAddressException("url host '" + host + "' resolves to " + kind + " address "
            + a.getHostAddress() + ", which webhooks may not reach (set AGENTWATCH_WEBHOOK_ALLOW_PRIVATE=true to allow)");
      }
    }
  }

  /** What makes {@code a} off limits, or null when it is a public address. */
  static String forbiddenKind(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return "a loopback";
    }
    if (a.isAnyLocalAddress()) {
      return "an unspecified";
    }
    if (a.isMulticastAddress()) {
      return "a multicast";
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      if (first == 169 && second == 254) {
        return "a link-local (cloud metadata)";
      }
      if (a.isSiteLocalAddress() || (first == 100 && second >= 64 && second < 128)) {
        return "a private";
      }
      if (first == 0 || (first == 255 && second == 255 && (b[2] & 0xff) == 255 && (b[3] & 0xff) == 255)) {
        return "a reserved";
      }
      return null;
    }
    if (a instanceof Inet6Address) {
      if (a.isLinkLocalAddress()) {
        return "a link-local";
      }
      if (a.isSiteLocalAddress() || (b[0] & 0xfe) == 0xfc) {
        return "a private";
      }
      if (isIpv4Embedded(b)) {
        try {
          String kind = forbiddenKind(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
          return kind == null ? null : kind + " (IPv4 inside IPv6)";
        } catch (UnknownHostException e) {
          throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
      }
    }
    return null;
  }

  /** IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) forms reach the IPv4 address. */
  private static boolean isIpv4Embedded(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] == 0 && b[11] == 0) || (b[10] == (byte) 0xff && b[11] == (byte) 0xff);
  }
}
