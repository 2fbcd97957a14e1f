package io.agentwatch.client;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads an HTTP {@code Retry-After} header: delay seconds or an HTTP date. */
final class RetryAfter {

  /** Longer waits than this are taken as this: a confused server must not park a client for hours. */
  static final Duration LONGEST = Duration.ofMinutes(5);

  private RetryAfter() {}

  /** The wait the header asks for, or null when it is absent or unreadable. */
  static Duration parse(String header, Clock clock) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    Duration wait;
    if (value.chars().allMatch(Character::isDigit)) {
      try {
        wait = Duration.ofSeconds(Long.parseLong(value));
      } catch (NumberFormatException | ArithmeticException e) {
        return LONGEST;
      }
    } else {
      try {
        ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
        wait = Duration.between(clock.instant(), at.toInstant());
      } catch (DateTimeParseException e) {
        return null;
      }
      if (wait.isNegative()) {
        wait = Duration.ZERO;
      }
    }
    return wait.compareTo(LONGEST) > 0 ? LONGEST : wait;
  }
}
