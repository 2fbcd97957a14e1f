package io.agentwatch.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.agentwatch.core.auth.InMemoryKeyStore;
import io.agentwatch.core.auth.KeyService;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.server.config.AgentwatchProperties;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class FirstKeyTest {

  private static final String CHOSEN = "aw_a-chosen-admin-key-for-this-test";

  private final KeyService keys = new KeyService(new InMemoryKeyStore(), Clock.systemUTC());
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(FirstKey.class);

  @BeforeEach
  void listen() {
    logged.start();
    logger.addAppender(logged);
  }

  @AfterEach
  void stopListening() {
    logger.detachAppender(logged);
  }

  private static AgentwatchProperties properties(String adminKey, boolean auth) {
    return new AgentwatchProperties(Path.of("data"), adminKey, auth, false, List.of(), 1000, 4096, 15);
  }

  private List<String> warnings() {
    return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void anAdminKeyGivenToAStoreThatHasKeysIsReportedIgnoredOnceWithTheWayToRecover() {
    keys.issue("default", "admin", EnumSet.allOf(Scope.class));

    FirstKey.ensure(keys, properties(CHOSEN, true));

    assertThat(warnings()).singleElement().asString()
        .contains("AGENTWATCH_ADMIN_KEY is ignored").contains("already has keys")
        .contains("keys create --operator");
    assertThat(keys.authenticate(CHOSEN)).isEmpty();
  }

  @Test
  void theAdminKeyThatSeededTheStoreIsNotReportedOnTheNextStart() {
    FirstKey.ensure(keys, properties(CHOSEN, true));
    FirstKey.ensure(keys, properties(CHOSEN, true));

    assertThat(warnings()).isEmpty();
    assertThat(keys.authenticate(CHOSEN)).isPresent();
  }

  @Test
  void authenticationTurnedOffIsAnnouncedLoudly() {
    FirstKey.ensure(keys, properties(null, false));

    assertThat(warnings()).singleElement().asString().contains("AUTHENTICATION IS OFF").contains("AGENTWATCH_AUTH=false");
  }
}
