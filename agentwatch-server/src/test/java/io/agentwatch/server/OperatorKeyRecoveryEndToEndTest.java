package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static io.agentwatch.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.server.auth.KeysCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keys create --operator}: a lost admin key is replaced offline on the data folder. */
public class OperatorKeyRecoveryEndToEndTest {

  private static final Pattern KEY = Pattern.compile("aw_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}");

  @TempDir
  Path data;

  /** Runs the command as the jar would; answers the printed key. */
  public static String recover(String... settings) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] args = new String[settings.length + 2];
    args[0] = "create";
    args[1] = "--operator";
    System.arraycopy(settings, 0, args, 2, settings.length);
    int exit = KeysCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
    Matcher key = KEY.matcher(out.toString(StandardCharsets.UTF_8));
    assertThat(key.find()).as(out.toString(StandardCharsets.UTF_8)).isTrue();
    return key.group();
  }

  @Test
  void aNewOperatorKeyMadeOfflineOpensAStoreWhoseAdminKeyIsLost() {
    try (TestServer server = TestServer.start(data)) {
      assertThat(server.get("/api/v1/keys", ADMIN_KEY).statusCode()).isEqualTo(200);
    }

    String recovered = recover("--agentwatch.data-dir=" + data, "--logging.level.root=WARN");

    String lost = "aw_another-key-that-the-store-never-had";
    try (TestServer server = TestServer.start(data, "--agentwatch.admin-key=" + lost)) {
      assertThat(server.get("/api/v1/keys", lost).statusCode()).isEqualTo(401);
      var list = server.get("/api/v1/keys", recovered);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.body()).contains("recovered operator key");
      var acme = server.post("/api/v1/keys", recovered, "application/json",
          "{\"tenant\":\"acme\",\"scopes\":[\"admin\",\"read\"],\"name\":\"acme admin\"}");
      assertThat(acme.statusCode()).as(acme.body()).isEqualTo(201);
      assertThat(json(acme.body()).get("key").stringValue()).startsWith("aw_");
    }
  }

  @Test
  void withoutOperatorTheCommandPrintsItsUsageAndExits2() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = KeysCommand.run(new String[] {"create"}, System.out, new PrintStream(err, true, StandardCharsets.UTF_8));

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("keys create --operator");
  }
}
