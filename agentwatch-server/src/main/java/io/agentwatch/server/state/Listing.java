package io.agentwatch.server.state;

import io.agentwatch.server.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Keyset pagination over projected rows: filter, sort by a key then by id, and continue after the
 * last row of the previous page. The page token is opaque (the last row's key and id), so pages
 * stay stable while rows are added, unlike offsets.
 *
 * @param <T> the row type
 */
final class Listing<T> {

  /** One page: the rows and the token of the next page, or null. */
  record Page<T>(List<T> rows, String next) {}

  private final Function<T, String> sortKey;
  private final Function<T, String> id;
  private final boolean descending;

  /**
   * @param sortKey a string whose natural order is the wanted order (see {@link #instantKey})
   * @param id      the row's unique id, the tie-breaker
   */
  Listing(Function<T, String> sortKey, Function<T, String> id, boolean descending) {
    this.sortKey = sortKey;
    this.id = id;
    this.descending = descending;
  }

  Page<T> page(Collection<T> rows, Predicate<T> filter, String after, int limit) {
    Comparator<T> order = Comparator.comparing((T r) -> nullToEmpty(sortKey.apply(r))).thenComparing(id);
    if (descending) {
      order = order.reversed();
    }
    String[] from = after == null ? null : decode(after);
    List<T> matching = new ArrayList<>();
    for (T r : rows) {
      if (filter.test(r) && (from == null || isAfter(r, from))) {
        matching.add(r);
      }
    }
    matching.sort(order);
    List<T> page = matching.size() > limit ? matching.subList(0, limit) : matching;
    String next = matching.size() > limit ? encode(page.getLast()) : null;
    return new Page<>(List.copyOf(page), next);
  }

  private boolean isAfter(T row, String[] from) {
    int c = nullToEmpty(sortKey.apply(row)).compareTo(from[0]);
    if (c == 0) {
      c = id.apply(row).compareTo(from[1]);
    }
    return descending ? c < 0 : c > 0;
  }

  private String encode(T row) {
    String raw = nullToEmpty(sortKey.apply(row)) + '\u0000' + id.apply(row);
    return "p1." + Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  private static String[] decode(String token) {
    try {
      if (!token.startsWith("p1.")) {
        throw new IllegalArgumentException();
      }
      String raw = new String(Base64.getUrlDecoder().decode(token.substring(3)), StandardCharsets.UTF_8);
      int sep = raw.indexOf('\u0000');
      if (sep < 0) {
        throw new IllegalArgumentException();
      }
      return new String[] {raw.substring(0, sep), raw.substring(sep + 1)};
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("after must be the 'next' token of a previous page but was '" + token + "'");
    }
  }

  /** A sort key for instants whose string order is time order (null sorts first). */
  static String instantKey(Instant t) {
    return t == null ? "" : String.format("%020d.%09d", t.getEpochSecond() + 100_000_000_000L, t.getNano());
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
