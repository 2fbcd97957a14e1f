package io.agentwatch.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The machine's Chromium, headless, driven through its own chromedriver with the flags of the
 * server's browser tests (nothing is downloaded), showing the dashboard signed in with a key.
 */
final class HeadlessChromium implements AutoCloseable {

  /** The size of the window the dashboard is drawn in (a laptop screen). */
  static final int WIDTH = 1400;
  static final int HEIGHT = 900;

  /**
   * Selenium warns that it has no DevTools binding for this Chromium version; the bench uses only
   * WebDriver, so the warning is noise. Held here: a logger nobody references may be collected.
   */
  private static final Logger DEVTOOLS_LOG = Logger.getLogger("org.openqa.selenium.devtools");

  static {
    DEVTOOLS_LOG.setLevel(Level.SEVERE);
  }

  private final ChromeDriver driver;

  private HeadlessChromium(ChromeDriver driver) {
    this.driver = driver;
  }

  static HeadlessChromium open(Path chromium, Path chromedriver, Path profileDir) {
    if (!Files.isExecutable(chromium) || !Files.isExecutable(chromedriver)) {
      throw new IllegalStateException("Chromium (" + chromium + ") with chromedriver (" + chromedriver
          + ") is needed: apt-get install -y chromium chromium-driver, or give --chromium and --chromedriver");
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profileDir.toAbsolutePath());
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(chromedriver.toFile())
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(WIDTH, HEIGHT));
    return new HeadlessChromium(driver);
  }

  String version() {
    return String.valueOf(driver.getCapabilities().getBrowserVersion());
  }

  /** Opens the dashboard, signs in with {@code key} and waits until its connection is live. */
  void signIn(String baseUrl, String key) {
    driver.get(baseUrl + "/");
    await(Duration.ofSeconds(30), () -> !driver.findElements(By.id("key")).isEmpty(), "the sign-in form");
    driver.findElement(By.id("key")).sendKeys(key);
    driver.findElement(By.cssSelector(".signin button[type=submit]")).click();
    await(Duration.ofSeconds(30), () -> text("[data-testid=connection]").contains("live"),
        "the connection badge to read live");
  }

  /** Shows a view of the dashboard by its route, e.g. {@code overview} or {@code events}. */
  void show(String route) {
    script("location.hash = arguments[0]", "#/" + route);
  }

  /** Replaces the text of an input as a user would, so the page's handlers see every change. */
  void type(String css, String text) {
    await(Duration.ofSeconds(10), () -> !driver.findElements(By.cssSelector(css)).isEmpty(), "'" + css + "'");
    WebElement input = driver.findElement(By.cssSelector(css));
    input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    if (!text.isEmpty()) {
      input.sendKeys(text);
    }
  }

  String text(String css) {
    return String.valueOf(script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css));
  }

  Object script(String js, Object... args) {
    return driver.executeScript(js, args);
  }

  void await(Duration timeout, BooleanSupplier condition, String what) {
    try {
      new WebDriverWait(driver, timeout, Duration.ofMillis(100)).until(d -> condition.getAsBoolean());
    } catch (TimeoutException e) {
      throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what, e);
    }
  }

  void screenshot(Path file) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
