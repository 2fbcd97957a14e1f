package io.agentwatch.analytics.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.analytics.Script;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class AlertBookTest {

  private static AlertDraft draft(String key, String run, String agent) {
    return draft(key, run, agent, Script.T0);
  }

  private static AlertDraft draft(String key, String run, String agent, Instant ts) {
    return new AlertDraft("stuck_task", run + "|" + key, "cause-" + key, Severity.WARNING, run, List.of(agent),
        List.of("e-" + key), "task " + key + " is stuck", ts);
  }

  /** An issuer over a book, collecting what it emits. */
  private static final class Issued {
    final AlertBook book = new AlertBook();
    final AlertIssuer issuer;
    final List<Event> events = new ArrayList<>();

    Issued(AlertIssuer.Config config) {
      issuer = new AlertIssuer(book, config);
    }

    Issued raise(AlertDraft d) {
      events.addAll(collect(() -> issuer.raise(d)));
      return this;
    }

    Issued resolve(String run, String key, Instant at) {
      events.addAll(collect(() -> issuer.resolve("stuck_task", run + "|" + key, "moved", List.of(), at)));
      return this;
    }

    Issued advance(Instant to) {
      events.addAll(collect(() -> issuer.advance(to)));
      return this;
    }

    private List<Event> collect(Runnable r) {
      List<Event> out = issuer.start();
      r.run();
      return out;
    }

    List<String> types() {
      return events.stream().map(Event::type).toList();
    }
  }

  @Test
  void findingsOfOneDetectorInOneRunFoldIntoOneAlertWithACountAndTheirItems() {
    Issued i = new Issued(AlertIssuer.Config.DEFAULTS);
    i.raise(draft("t1", "r1", "w1")).raise(draft("t2", "r1", "w2")).raise(draft("t3", "r1", "w1"))
        .raise(draft("t1", "r2", "w9"));
    assertThat(i.types()).as("one alert per run; the additions wait for their turn")
        .containsExactly(AlertEvents.RAISED, AlertEvents.RAISED);
    AlertView r1 = i.book.get(i.events.getFirst().id());
    assertThat(r1.count()).isEqualTo(3);
    assertThat(r1.open()).isEqualTo(3);
    assertThat(r1.agents()).containsExactly("w1", "w2");
    assertThat(r1.items()).extracting(AlertItem::label).containsExactly("t1", "t2", "t3");
    assertThat(r1.message()).startsWith("3 stuck tasks in run r1 (3 open): t1, t2, t3. Latest: task t3 is stuck");

    i.advance(Script.T0.plusSeconds(31));
    Event update = i.events.getLast();
    assertThat(update.type()).isEqualTo(AlertEvents.UPDATED);
    assertThat(update.ts()).as("at its turn, not when time happened to pass it").isEqualTo(Script.T0.plusSeconds(30));
    assertThat(update.data().get("added")).hasSize(2);
    assertThat(update.data().get("count").intValue()).isEqualTo(3);
  }

  @Test
  void anAlertResolvesWithItsLastOpenFindingAndTellsTheChangesNotYetTold() {
    Issued i = new Issued(AlertIssuer.Config.DEFAULTS);
    i.raise(draft("t1", "r1", "w1")).raise(draft("t2", "r1", "w2"))
        .resolve("r1", "t1", Script.T0.plusSeconds(5)).resolve("r1", "t2", Script.T0.plusSeconds(6));
    assertThat(i.types()).containsExactly(AlertEvents.RAISED, AlertEvents.RESOLVED);
    Event resolved = i.events.getLast();
    assertThat(resolved.data().get("added")).singleElement()
        .satisfies(n -> assertThat(n.get("reason").stringValue()).isEqualTo("moved"));
    assertThat(resolved.data().get("resolvedItems")).hasSize(1);
    assertThat(i.book.get(i.events.getFirst().id()).state()).isEqualTo("resolved");

    i.raise(draft("t3", "r1", "w1"));
    assertThat(i.types().getLast()).as("a new cause after the alert ended is a new alert").isEqualTo(AlertEvents.RAISED);
  }

  @Test
  void pastTheTenantsRateNewAlertsJoinOneFloodSummary() {
    Issued i = new Issued(new AlertIssuer.Config(Duration.ofSeconds(30), 2));
    for (int run = 0; run < 5; run++) {
      i.raise(draft("t", "r" + run, "w" + run));
    }
    assertThat(i.types()).containsExactly(AlertEvents.RAISED, AlertEvents.RAISED, AlertEvents.SUPPRESSED);
    AlertView summary = i.book.get(i.events.getLast().id());
    assertThat(summary.detector()).isEqualTo(AlertEvents.FLOOD_CONTROL);
    assertThat(summary.count()).isEqualTo(3);
    assertThat(summary.message()).startsWith("3 findings were not raised as alerts of their own");
    assertThat(i.issuer.isOpen("stuck_task", "r4|t")).as("held by the summary, so it is not raised again").isTrue();

    i.raise(draft("t", "r9", "w9", Script.T0.plusSeconds(61)));
    assertThat(i.types().getLast()).as("a new minute, a new allowance").isEqualTo(AlertEvents.RAISED);
  }

  @Test
  void foldingTheEventsAgainMakesTheSameBookAndRepeatsChangeNothing() {
    Issued i = new Issued(AlertIssuer.Config.DEFAULTS);
    i.raise(draft("t1", "r1", "w1")).raise(draft("t2", "r1", "w2")).advance(Script.T0.plusSeconds(40))
        .resolve("r1", "t2", Script.T0.plusSeconds(41)).raise(draft("t3", "r1", "w3", Script.T0.plusSeconds(42)))
        .advance(Script.T0.plusSeconds(90)).resolve("r1", "t1", Script.T0.plusSeconds(91))
        .resolve("r1", "t3", Script.T0.plusSeconds(92));
    AlertBook folded = new AlertBook();
    i.events.forEach(folded::apply);
    i.events.forEach(folded::apply);
    assertThat(folded.all()).isEqualTo(i.book.all());
    assertThat(folded.all()).singleElement().satisfies(a -> {
      assertThat(a.state()).isEqualTo("resolved");
      assertThat(a.count()).isEqualTo(3);
    });
  }

  @Test
  void anAlertWrittenBeforeGroupingFoldsIntoAnAlertOfOneFinding() {
    ObjectNode data = EventCodec.JSON.createObjectNode().put("alertId", "alert-old").put("detector", "stuck_task")
        .put("key", "r1|t1").put("severity", "warning").put("runId", "r1").put("message", "old");
    data.putArray("agents").add("w1");
    data.putArray("evidence").add("e1");
    AlertBook book = new AlertBook();
    book.apply(new Event("alert-old", AlertEvents.RAISED, "agentwatch-analytics", "r1", Script.T0, "e1", null, data));
    assertThat(book.isOpen("stuck_task", "r1|t1")).isTrue();
    ObjectNode end = data.deepCopy().put("reason", "done");
    book.apply(new Event("alert-r-old", AlertEvents.RESOLVED, "agentwatch-analytics", "r1", Script.T0, "alert-old",
        null, end));
    assertThat(book.get("alert-old").state()).isEqualTo("resolved");
    assertThat(book.get("alert-old").count()).isEqualTo(1);
  }

  @Test
  void acknowledgingKeepsTheFirstAcknowledgement() {
    Issued i = new Issued(AlertIssuer.Config.DEFAULTS).raise(draft("t1", "r1", "w1"));
    AlertView open = i.book.get(i.events.getFirst().id());
    i.book.apply(AlertEvents.acknowledged(open, "key-1", "looking", Instant.parse("2026-11-28T17:00:00Z")));
    i.book.apply(AlertEvents.acknowledged(open, "key-2", null, Instant.parse("2026-11-28T18:00:00Z")));
    assertThat(i.book.get(open.id()).acknowledgedBy()).isEqualTo("key-1");
  }

  @Test
  void idsAreDerivedFromDetectorKeyAndCauseOnly() {
    assertThat(AlertEvents.raised(draft("k1", "r1", "w1")).id()).isEqualTo(AlertEvents.raised(draft("k1", "r1", "w1")).id())
        .isNotEqualTo(AlertEvents.raised(draft("k2", "r1", "w1")).id()).matches("[A-Za-z0-9._:-]{1,64}");
  }

  @Test
  void listingsFilterAndPageInLogOrder() {
    Issued i = new Issued(AlertIssuer.Config.DEFAULTS);
    for (int k = 0; k < 5; k++) {
      i.raise(draft("k" + k, "r" + k, "w" + k));
    }
    i.resolve("r0", "k0", Script.T0);
    AlertBook book = i.book;

    AlertBook.Page first = book.list(new AlertBook.Query(null, null, null, null, null, 2));
    assertThat(first.alerts()).extracting(AlertView::runId).containsExactly("r0", "r1");
    AlertBook.Page second = book.list(new AlertBook.Query(null, null, null, null, first.next(), 2));
    assertThat(second.alerts()).extracting(AlertView::runId).containsExactly("r2", "r3");
    AlertBook.Page third = book.list(new AlertBook.Query(null, null, null, null, second.next(), 2));
    assertThat(third.alerts()).extracting(AlertView::runId).containsExactly("r4");
    assertThat(third.next()).isNull();

    assertThat(book.list(new AlertBook.Query(null, "w3", null, null, null, 10)).alerts()).extracting(AlertView::runId)
        .containsExactly("r3");
    assertThat(book.list(new AlertBook.Query(null, null, null, "open", null, 10)).alerts()).hasSize(4);
    assertThat(book.list(new AlertBook.Query(null, null, "anomaly", null, null, 10)).alerts()).isEmpty();
  }

  @Test
  void aForeignPageTokenIsRefusedWithItsValue() {
    assertThatThrownBy(() -> new AlertBook().list(new AlertBook.Query(null, null, null, null, "nope", 5)))
        .hasMessage("after must be the 'next' token of a previous page but was 'nope'");
  }
}
