package io.agentwatch.storage.postgres;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** Small conversions between Java values and what PostgreSQL can hold. */
final class Sql {

  private Sql() {}

  /**
   * {@code t} floored to microseconds as a {@code timestamptz} literal. PostgreSQL numbers years
   * 1 BC, 2 BC… where ISO-8601 says 0, -1…, and it rejects year 0, so earlier instants are
   * written its way.
   */
  static String timestamp(Instant t) {
    Instant micros = t.truncatedTo(ChronoUnit.MICROS);
    LocalDateTime local = LocalDateTime.ofInstant(micros, ZoneOffset.UTC);
    if (local.getYear() > 9999) {
      // Instant writes such years with a '+', which PostgreSQL would read as a zone offset.
      return micros.toString().substring(1);
    }
    if (local.getYear() >= 1) {
      return micros.toString();
    }
    return local.withYear(1 - local.getYear()) + "Z BC";
  }

  /** Epoch nanoseconds as an exact decimal (numeric holds every year an event may carry). */
  static String epochNanos(Instant t) {
    return java.math.BigInteger.valueOf(t.getEpochSecond()).multiply(java.math.BigInteger.valueOf(1_000_000_000L))
        .add(java.math.BigInteger.valueOf(t.getNano())).toString();
  }

  /** PostgreSQL text cannot hold U+0000; such characters are stored (and matched) as U+FFFD. */
  static String text(String s) {
    return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
  }
}
