package io.agentwatch.core.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AddressPolicyTest {

  /** Names resolved from a table, IP literals as the JDK parses them (no DNS either way). */
  private static final AddressPolicy.Resolver TABLE = host -> {
    Map<String, String[]> names = Map.of(
        "public.example", new String[] {"93.184.216.34", "2606:2800:220:1::1"},
        "rebinds.example", new String[] {"93.184.216.34", "10.0.0.7"},
        "metadata.example", new String[] {"169.254.169.254"});
    String[] found = names.get(host);
    if (found == null) {
      if (Character.isDigit(host.charAt(0)) || host.contains(":")) {
        return new InetAddress[] {InetAddress.getByName(host)};
      }
      throw new UnknownHostException(host);
    }
    InetAddress[] out = new InetAddress[found.length];
    for (int i = 0; i < found.length; i++) {
      out[i] = InetAddress.getByName(found[i]);
    }
    return out;
  };

  private final AddressPolicy strict = new AddressPolicy(false, TABLE);

  private static URI url(String host) {
    return URI.create("https://" + host + "/hook");
  }

  @Test
  void publicAddressesAreAllowed() {
    assertThatCode(() -> strict.check(url("public.example"))).doesNotThrowAnyException();
    assertThatCode(() -> strict.check(url("8.8.8.8"))).doesNotThrowAnyException();
    assertThatCode(() -> strict.check(url("172.32.0.1"))).doesNotThrowAnyException();
    assertThatCode(() -> strict.check(url("[2001:4860:4860::8888]"))).doesNotThrowAnyException();
  }

  @Test
  void internalAddressesAreRefusedWithWhatTheyAre() {
    Map<String, String> refused = Map.ofEntries(
        Map.entry("127.0.0.1", "loopback"), Map.entry("127.8.9.10", "loopback"), Map.entry("[::1]", "loopback"),
        Map.entry("10.1.2.3", "private"), Map.entry("172.16.0.1", "private"), Map.entry("172.31.255.255", "private"),
        Map.entry("192.168.1.1", "private"), Map.entry("100.64.0.1", "private"), Map.entry("[fd00::1]", "private"),
        Map.entry("[fc00::1]", "private"), Map.entry("169.254.169.254", "cloud metadata"),
        Map.entry("metadata.example", "cloud metadata"), Map.entry("[fe80::1]", "link-local"),
        Map.entry("0.0.0.0", "unspecified"), Map.entry("[::]", "unspecified"), Map.entry("224.0.0.1", "multicast"),
        Map.entry("[ff02::1]", "multicast"), Map.entry("255.255.255.255", "reserved"), Map.entry("0.1.2.3", "reserved"),
        Map.entry("[::ffff:10.0.0.1]", "private"), Map.entry("[::127.0.0.1]", "loopback (IPv4 inside IPv6)"),
        Map.entry("rebinds.example", "private address 10.0.0.7"));
    refused.forEach((host, kind) -> assertThatThrownBy(() -> strict.check(url(host)))
        .as(host).isInstanceOf(RefusedAddressException.class)
        .hasMessageContaining(kind).hasMessageContaining("AGENTWATCH_WEBHOOK_ALLOW_PRIVATE"));
  }

  @Test
  void allowingPrivateAddressesLiftsTheRefusalButNotTheNeedToResolve() {
    AddressPolicy lenient = new AddressPolicy(true, TABLE);

    assertThatCode(() -> lenient.check(url("127.0.0.1"))).doesNotThrowAnyException();
    assertThatCode(() -> lenient.check(url("rebinds.example"))).doesNotThrowAnyException();
    assertThatThrownBy(() -> lenient.check(url("nowhere.invalid"))).isInstanceOf(RefusedAddressException.class)
        .hasMessage("url host 'nowhere.invalid' does not resolve to an address");
  }

  @Test
  void theDefaultResolverResolvesLocalhostToLoopback() {
    assertThatThrownBy(() -> new AddressPolicy(false).check(url("localhost"))).hasMessageContaining("loopback");
    assertThat(new AddressPolicy(true).allowsPrivate()).isTrue();
  }
}
