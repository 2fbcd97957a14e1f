package io.agentwatch.cli;

import io.agentwatch.model.EventCodec;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code agentwatch keys create|list|revoke}: API keys, with a key of scope admin (or operator). */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create, list and revoke API keys.",
    subcommands = {KeysCommand.Create.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class})
final class KeysCommand implements Runnable {

  @ParentCommand
  AgentwatchCli parent;

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a keys command: create, list or revoke");
  }

  @Command(name = "create", mixinStandardHelpOptions = true,
      description = "Create a key; it is printed once and cannot be shown again.")
  static final class Create implements Runnable {

    @ParentCommand
    KeysCommand keys;

    @Spec
    CommandSpec spec;

    @Option(names = "--scope", required = true, paramLabel = "SCOPE",
        description = "ingest, read, admin or operator; repeatable.")
    List<String> scopes;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "Tenant of the key (default: the caller's).")
    String tenant;

    @Option(names = "--name", paramLabel = "NAME", description = "A name to recognise the key by.")
    String name;

    @Override
    public void run() {
      Map<String, Object> body = new LinkedHashMap<>();
      if (tenant != null) {
        body.put("tenant", tenant);
      }
      body.put("scopes", scopes);
      if (name != null) {
        body.put("name", name);
      }
      try (Api api = keys.parent.api()) {
        JsonNode created = api.post("api/v1/keys", EventCodec.JSON.writeValueAsString(body));
        PrintWriter out = spec.commandLine().getOut();
        out.println("id:     " + created.path("id").asString());
        out.println("tenant: " + created.path("tenant").asString());
        out.println("scopes: " + String.join(",", texts(created.path("scopes"))));
        out.println("key:    " + created.path("key").asString());
        out.println("Keep the key now: the server stores only its hash and cannot show it again.");
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never the keys themselves).")
  static final class ListKeys implements Runnable {

    @ParentCommand
    KeysCommand keys;

    @Spec
    CommandSpec spec;

    @Option(names = "--tenant", paramLabel = "TENANT", description = "Only this tenant's keys (operator keys only).")
    String tenant;

    @Override
    public void run() {
      try (Api api = keys.parent.api()) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("tenant", tenant);
        JsonNode answer = api.get(Api.query("api/v1/keys", params));
        PrintWriter out = spec.commandLine().getOut();
        Table table = new Table("ID", "TENANT", "SCOPES", "NAME", "CREATED", "STATE");
        for (JsonNode k : answer.path("keys")) {
          String state = k.path("revoked").isString() ? "revoked " + k.path("revoked").asString()
              : k.path("lastUsed").isString() ? "used " + k.path("lastUsed").asString() : "unused";
          table.row(k.path("id").asString(), k.path("tenant").asString(), String.join(",", texts(k.path("scopes"))),
              k.path("name").asString(""), k.path("created").asString(), state);
        }
        table.print(out);
      }
    }
  }

  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = "Revoke a key at once, also on its open connections.")
  static final class Revoke implements Runnable {

    @ParentCommand
    KeysCommand keys;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The key's id (from keys list).")
    String id;

    @Override
    public void run() {
      try (Api api = keys.parent.api()) {
        api.delete("api/v1/keys/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8));
        spec.commandLine().getOut().println("revoked " + id);
      }
    }
  }

  private static List<String> texts(JsonNode array) {
    return array.valueStream().map(JsonNode::asString).toList();
  }
}
