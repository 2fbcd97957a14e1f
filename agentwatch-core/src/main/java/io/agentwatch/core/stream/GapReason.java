package io.agentwatch.core.stream;

/**
 * Why a live stream ended before the subscriber asked it to. Each is something the client can act
 * on by resuming from the notice's cursor (after a restart, with another key, once the store is
 * back); a subscriber that merely reads slowly is never ended, it catches up from the log instead.
 */
public enum GapReason {
  /** The server is stopping. */
  SHUTDOWN("shutdown"),
  /** The key the stream was opened with was revoked. */
  REVOKED("revoked"),
  /** The log could not be read (the store is unavailable). */
  UNAVAILABLE("unavailable");

  private final String wireName;

  GapReason(String wireName) {
    this.wireName = wireName;
  }

  /** The {@code reason} as written in {@code gap} notices (API.md, "Live stream"). */
  public String wireName() {
    return wireName;
  }
}
