package io.agentwatch.model;

import java.util.List;

/** An input that is not a valid event; carries every problem found, not just the first. */
public final class InvalidEventException extends RuntimeException {

  private final List<Problem> problems;

  public InvalidEventException(List<Problem> problems) {
    super(problems.stream().map(Problem::message).reduce((a, b) -> a + "; " + b).orElse("invalid event"));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
