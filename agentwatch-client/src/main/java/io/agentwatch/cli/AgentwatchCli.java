package io.agentwatch.cli;

import java.io.PrintWriter;
import java.net.URI;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code agentwatch}: the command line of Agentwatch. Every subcommand talks to a server's public
 * API at {@code --url} with the key {@code --key} (or {@code AGENTWATCH_URL}, {@code AGENTWATCH_KEY}).
 * Exit codes: 0 done, 1 the command failed (the message says why), 2 bad usage.
 */
@Command(name = "agentwatch", mixinStandardHelpOptions = true, version = "agentwatch 0.1.0",
    description = "Watch, replay, upload and simulate multi-agent traffic on an Agentwatch server.",
    subcommands = {TailCommand.class, ReplayCommand.class, UploadCommand.class, SimulateCommand.class,
        KeysCommand.class},
    usageHelpAutoWidth = true)
public final class AgentwatchCli implements Runnable {

  @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
      defaultValue = "${env:AGENTWATCH_URL:-http://localhost:8080}",
      description = "Server root (env AGENTWATCH_URL; default ${DEFAULT-VALUE}).")
  URI url;

  @Option(names = "--key", scope = ScopeType.INHERIT, paramLabel = "KEY",
      defaultValue = "${env:AGENTWATCH_KEY}",
      description = "API key (env AGENTWATCH_KEY); not needed when the server runs without auth.")
  String key;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: tail, replay, upload, simulate or keys");
  }

  /** The server's API as this invocation's options describe it. */
  Api api() {
    if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))) {
      throw new CliException("--url must be an http:// or https:// address but was '" + url + "'");
    }
    return new Api(url, key);
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = run(out, err, args);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs one invocation, writing to {@code out} and {@code err}; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new AgentwatchCli())
        .setOut(out)
        .setErr(err)
        .setExecutionExceptionHandler((e, commandLine, parsed) -> {
          commandLine.getErr().println("agentwatch: " + message(e));
          commandLine.getErr().flush();
          return 1;
        });
    return cli.execute(args);
  }

  private static String message(Exception e) {
    if (e instanceof CliException || e instanceof Api.ApiError) {
      return e.getMessage();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
