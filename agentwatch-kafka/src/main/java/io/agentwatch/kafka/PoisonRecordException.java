package io.agentwatch.kafka;

/** A record of the log's topic that is not an event this log can hand on; the message says why. */
final class PoisonRecordException extends RuntimeException {

  PoisonRecordException(String reason) {
    super(reason);
  }
}
