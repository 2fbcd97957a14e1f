package io.agentwatch.core.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when an external service it needs (a browser, a broker, a database) is missing:
 * it skips with a loud reason on a developer's machine, and fails where
 * {@code -Dagentwatch.requireServices=true} says every service must be there (CI).
 */
public final class RequiredService {

  private RequiredService() {
  }

  public static void require(boolean present, String service, String howToInstall) {
    if (present) {
      return;
    }
    String reason = service + " is missing; " + howToInstall;
    if (Boolean.getBoolean("agentwatch.requireServices")) {
      Assertions.fail(reason + " (agentwatch.requireServices=true forbids skipping)");
    }
    System.err.println("SKIPPED — " + reason);
    Assumptions.abort(reason);
  }
}
