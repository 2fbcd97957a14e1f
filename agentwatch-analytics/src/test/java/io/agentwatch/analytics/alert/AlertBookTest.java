package io.agentwatch.analytics.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agentwatch.analytics.Script;
import io.agentwatch.model.Event;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertBookTest {

  private static AlertDraft draft(String key, String run, String agent) {
    return new AlertDraft("stuck_task", key, "cause-" + key, Severity.WARNING, run, List.of(agent), List.of("e1"),
        "task " + key + " is stuck", Script.T0);
  }

  @Test
  void raisingResolvingAndAcknowledgingFoldIntoOneAlertAndRepeatsChangeNothing() {
    AlertBook book = new AlertBook();
    Event raised = AlertEvents.raised(draft("k1", "r1", "w1"));
    book.apply(raised);
    book.apply(raised);
    AlertView open = book.open("stuck_task", "k1");
    assertThat(open.id()).isEqualTo(raised.id());
    assertThat(book.size()).isEqualTo(1);

    Event ack = AlertEvents.acknowledged(open, "key-1", "looking", Instant.parse("2026-11-28T17:00:00Z"));
    book.apply(ack);
    book.apply(AlertEvents.acknowledged(open, "key-2", null, Instant.parse("2026-11-28T18:00:00Z")));
    Event resolved = AlertEvents.resolved(open, "progress", List.of("e9"), Instant.parse("2026-11-28T17:30:00Z"));
    book.apply(resolved);
    book.apply(resolved);

    AlertView done = book.get(raised.id());
    assertThat(done.state()).isEqualTo("resolved");
    assertThat(done.resolution()).isEqualTo("progress");
    assertThat(done.resolvedAt()).isEqualTo(Instant.parse("2026-11-28T17:30:00Z"));
    assertThat(done.acknowledgedBy()).isEqualTo("key-1");
    assertThat(done.acknowledgedAt()).isEqualTo(Instant.parse("2026-11-28T17:00:00Z"));
    assertThat(book.open("stuck_task", "k1")).isNull();
  }

  @Test
  void idsAreDerivedFromDetectorKeyAndCauseOnly() {
    assertThat(AlertEvents.raised(draft("k1", "r1", "w1")).id()).isEqualTo(AlertEvents.raised(draft("k1", "r1", "w1")).id())
        .isNotEqualTo(AlertEvents.raised(draft("k2", "r1", "w1")).id()).matches("[A-Za-z0-9._:-]{1,64}");
  }

  @Test
  void listingsFilterAndPageInLogOrder() {
    AlertBook book = new AlertBook();
    for (int i = 0; i < 5; i++) {
      book.apply(AlertEvents.raised(draft("k" + i, i % 2 == 0 ? "r1" : "r2", "w" + i)));
    }
    book.apply(AlertEvents.resolved(book.open("stuck_task", "k0"), "done", List.of(), Script.T0));

    AlertBook.Page first = book.list(new AlertBook.Query("r1", null, null, null, null, 1));
    assertThat(first.alerts()).extracting(AlertView::key).containsExactly("k0");
    AlertBook.Page second = book.list(new AlertBook.Query("r1", null, null, null, first.next(), 1));
    assertThat(second.alerts()).extracting(AlertView::key).containsExactly("k2");
    AlertBook.Page third = book.list(new AlertBook.Query("r1", null, null, null, second.next(), 1));
    assertThat(third.alerts()).extracting(AlertView::key).containsExactly("k4");
    assertThat(third.next()).isNull();

    assertThat(book.list(new AlertBook.Query(null, "w3", null, null, null, 10)).alerts()).extracting(AlertView::key)
        .containsExactly("k3");
    assertThat(book.list(new AlertBook.Query(null, null, null, "open", null, 10)).alerts()).hasSize(4);
    assertThat(book.list(new AlertBook.Query(null, null, "anomaly", null, null, 10)).alerts()).isEmpty();
  }

  @Test
  void aForeignPageTokenIsRefusedWithItsValue() {
    assertThatThrownBy(() -> new AlertBook().list(new AlertBook.Query(null, null, null, null, "nope", 5)))
        .hasMessage("after must be the 'next' token of a previous page but was 'nope'");
  }
}
