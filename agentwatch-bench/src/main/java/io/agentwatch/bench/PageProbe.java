package io.agentwatch.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The measuring script ({@code page-probe.js}) in the dashboard page: installs it and opens,
 * follows and closes its phases. It reads the page's stores through the read-only diagnostic
 * hook {@code window.agentwatch}, so the page measured is the one users run.
 */
final class PageProbe {

  private static final String SCRIPT = load("page-probe.js");

  private final HeadlessChromium browser;

  private PageProbe(HeadlessChromium browser) {
    this.browser = browser;
  }

  static PageProbe install(HeadlessChromium browser) {
    Object answer = browser.script(SCRIPT);
    if ("no-hook".equals(answer)) {
      throw new IllegalStateException("the page has no window.agentwatch diagnostic hook: the server jar predates it; "
          + "rebuild it with mvn -B -q -DskipTests package -pl agentwatch-server -am");
    }
    if (!"ok".equals(answer) && !"installed".equals(answer)) {
      throw new IllegalStateException("the page probe did not install: " + answer);
    }
    return new PageProbe(browser);
  }

  /** Opens a phase: frames from now, delays of events sent at or after {@code fromEpochMs}. */
  void start(long fromEpochMs) {
    browser.script("window.__awProbe.start(arguments[0])", fromEpochMs);
  }

  void stopFrames() {
    browser.script("window.__awProbe.stopFrames()");
  }

  /** Events of the phase the page has received so far. */
  long progress() {
    return ((Number) browser.script("return window.__awProbe.progress()")).longValue();
  }

  @SuppressWarnings("unchecked")
  PageSample finish() {
    Object raw = browser.script("return window.__awProbe.finish()");
    if (!(raw instanceof Map<?, ?> map)) {
      throw new IllegalStateException("the page probe had no open phase");
    }
    return PageSample.of((Map<String, Object>) map);
  }

  private static String load(String name) {
    try (InputStream in = PageProbe.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
