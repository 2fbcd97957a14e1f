package io.agentwatch.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell commands of a Markdown document's {@code bash} and {@code sh} code blocks, one per
 * command as the shell would see it: lines ending in a backslash and quotes spanning lines are
 * joined, comment lines between commands dropped.
 */
final class DocExamples {

  /** A line like {@code RUN=demo-run-…   # a runId from that answer}: a value the reader fills in. */
  private static final Pattern PLACEHOLDER = Pattern.compile("^([A-Z][A-Z0-9_]*)=(\\S*…\\S*)\\s*(#.*)?$");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");

  /** One command of a document, with the line it starts on. */
  record Example(Path file, int line, String command) {

    boolean isCurl() {
      return command.startsWith("curl ");
    }

    /** The name this line asks the reader to fill in, or null when it is not such a line. */
    String placeholder() {
      Matcher m = PLACEHOLDER.matcher(command);
      return m.matches() ? m.group(1) : null;
    }

    /** Every shell variable the command reads. */
    List<String> variables() {
      List<String> names = new ArrayList<>();
      Matcher m = VARIABLE.matcher(command);
      while (m.find()) {
        names.add(m.group(1));
      }
      return names;
    }

    String where() {
      return file.getFileName() + ":" + line;
    }
  }

  private DocExamples() {}

  static List<Example> of(Path markdown) {
    List<String> lines;
    try {
      lines = Files.readAllLines(markdown);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Example> examples = new ArrayList<>();
    boolean inShell = false;
    boolean inOtherBlock = false;
    StringBuilder command = new StringBuilder();
    int startLine = 0;
    char quote = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String trimmed = line.strip();
      if (command.isEmpty() && trimmed.startsWith("```")) {
        if (inShell || inOtherBlock) {
          inShell = inOtherBlock = false;
        } else if (trimmed.equals("```bash") || trimmed.equals("```sh")) {
          inShell = true;
        } else {
          inOtherBlock = true;
        }
        continue;
      }
      if (!inShell) {
        continue;
      }
      if (command.isEmpty()) {
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
          continue;
        }
        startLine = i + 1;
      } else {
        command.append('\n');
      }
      command.append(line);
      quote = openQuoteAfter(line, quote);
      if (quote == 0 && !line.endsWith("\\")) {
        examples.add(new Example(markdown, startLine, command.toString().strip()));
        command.setLength(0);
      }
    }
    return examples;
  }

  /** The quote still open at the end of {@code line} (0 for none), given the one open before it. */
  private static char openQuoteAfter(String line, char open) {
    char quote = open;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote == 0 && c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
        return 0;
      }
      if (quote == 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (c == quote && (quote == '\'' || i == 0 || line.charAt(i - 1) != '\\')) {
        quote = 0;
      }
    }
    return quote;
  }
}
