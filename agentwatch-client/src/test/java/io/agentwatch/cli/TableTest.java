package io.agentwatch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {

  private static List<String> printed(Table table) {
    StringWriter text = new StringWriter();
    table.print(new PrintWriter(text));
    return text.toString().lines().toList();
  }

  @Test
  void aLongCellWidensItsColumnSoTheNextColumnStartsAfterItForEveryRow() {
    List<String> lines = printed(new Table("ID", "SCOPES", "NAME")
        .row("k1", "admin,ingest,operator,read", "admin")
        .row("k2", "read", "dashboard"));

    assertThat(lines).containsExactly(
        "ID  SCOPES                      NAME",
        "k1  admin,ingest,operator,read  admin",
        "k2  read                        dashboard");
  }

  @Test
  void everyColumnStartsAtTheSamePlaceOnEveryLine() {
    List<String> lines = printed(new Table("ID", "TENANT", "SCOPES", "NAME", "CREATED", "STATE")
        .row("Ab3dEf9hIj2lMn4p", "default", "admin,ingest,operator,read", "recovered operator key",
            "2026-12-08T01:02:03.456789Z", "used 2026-12-08T01:02:04Z")
        .row("x", "acme", null, "", "2026-12-08T01:00:00Z", "unused"));

    int name = lines.get(0).indexOf("NAME");
    assertThat(lines.get(1).substring(name)).startsWith("recovered operator key");
    assertThat(lines.get(1).charAt(name - 1)).isEqualTo(' ');
    assertThat(lines.get(1).charAt(name - 2)).isEqualTo(' ');
    assertThat(lines.get(2).indexOf("2026-12-08T01:00:00Z")).isEqualTo(lines.get(0).indexOf("CREATED"));
  }

  @Test
  void aRowWithTheWrongNumberOfCellsIsRefused() {
    assertThatThrownBy(() -> new Table("A", "B").row("only one")).hasMessageContaining("needs 2 cells but had 1");
  }
}
