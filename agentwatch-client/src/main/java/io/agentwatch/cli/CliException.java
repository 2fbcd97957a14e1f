package io.agentwatch.cli;

/** A command failed for a reason the user can act on; printed as is, exit code 1. */
final class CliException extends RuntimeException {

  CliException(String message) {
    super(message);
  }
}
