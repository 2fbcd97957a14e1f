package io.agentwatch.analytics.config;

/**
 * A budget or policy that cannot be accepted, with the field at fault (a JSON path like
 * {@code match.detectors}) so that the API can name it.
 */
public final class InvalidDefinitionException extends IllegalArgumentException {

  private final String field;

  public InvalidDefinitionException(String field, String message) {
    super(field + ": " + message);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
