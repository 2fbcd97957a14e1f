package io.agentwatch.analytics.alert;

import io.agentwatch.analytics.detect.Deadlines;
import io.agentwatch.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Turns the detectors' findings into alert events, grouping and rate-limiting them.
 *
 * <ul>
 *   <li><b>One cause, one alert.</b> The findings of one detector in one run fold into one alert
 *       while it is open: the first finding raises it ({@code alert.raised}), later ones are added
 *       to it, and it resolves when its last open finding does ({@code alert.resolved}).</li>
 *   <li><b>Coalesced updates.</b> The book changes at once; the log hears of the changes of an
 *       alert in one {@code alert.updated} at most every {@code updateEvery} of event time (at once
 *       when the alert has been quiet that long), so a webhook is not flooded by a busy alert.</li>
 *   <li><b>Flood control.</b> At most {@code newAlertsPerMinute} new alerts per tenant and
 *       minute of event time. Findings past that join one flood summary
 *       ({@code alert.suppressed}, detector {@code flood_control}) instead of raising alerts of
 *       their own; it resolves when its last finding does.</li>
 * </ul>
 *
 * <p>Deterministic: driven by findings in the order the detectors report them and by
 * {@link #advance}. Not thread-safe.
 */
public final class AlertIssuer implements Signals {

  /**
   * @param updateEvery        at most one {@code alert.updated} per alert within this much event time
   * @param newAlertsPerMinute new alerts a tenant may raise per minute of event time
   */
  public record Config(Duration updateEvery, int newAlertsPerMinute) {

    public static final Config DEFAULTS = new Config(Duration.ofSeconds(30), 20);

    public Config {
      if (updateEvery == null || updateEvery.isNegative()) {
        throw new IllegalArgumentException("alerts.updateEvery must be zero or positive but was " + updateEvery);
      }
      if (newAlertsPerMinute < 1) {
        throw new IllegalArgumentException("alerts.newAlertsPerMinute must be at least 1 but was "
            + newAlertsPerMinute);
      }
    }
  }

  /** Told of every new finding, after it joined its alert: where policies act. */
  public interface FindingListener {

    /**
     * @param alertId the alert that holds the finding (its group, or the flood summary)
     * @param emit    appends an event (a command, a recorded match) after the alert's own
     */
    void found(AlertItem finding, String alertId, Consumer<Event> emit);
  }

  /** Changes of an alert the log has not heard of yet. */
  private static final class Pending {
    final List<AlertItem> added = new ArrayList<>();
    final List<AlertItem> resolved = new ArrayList<>();

    void note(AlertItem add, AlertItem resolve) {
      if (add != null) {
        added.add(add);
      }
      if (resolve != null) {
        // A finding added and resolved before anyone heard of it is told once, resolved.
        if (added.removeIf(i -> i.finding().equals(resolve.finding()))) {
          added.add(resolve);
        } else {
          resolved.add(resolve);
        }
      }
    }
  }

  private final AlertBook book;
  private final Config config;
  private final Map<String, Pending> pending = new HashMap<>();
  private final Map<String, Instant> lastPublished = new HashMap<>();
  private final Deadlines<String> flushes = new Deadlines<>();
  private FindingListener listener = (finding, alert, emit) -> { };
  private List<Event> out = new ArrayList<>();
  private long minute = Long.MIN_VALUE;
  private int raisedThisMinute;

  public AlertIssuer(AlertBook book, Config config) {
    this.book = Objects.requireNonNull(book, "book");
    this.config = Objects.requireNonNull(config, "config");
  }

  public void listen(FindingListener listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** Starts collecting the events of one input; returns the list they go to. */
  public List<Event> start() {
    out = new ArrayList<>();
    return out;
  }

  @Override
  public void raise(AlertDraft draft) {
    if (book.isOpen(draft.detector(), draft.key()) || book.knowsFinding(draft.findingId())) {
      return;
    }
    AlertItem item = draft.item();
    Instant ts = draft.ts();
    AlertEntry holder = book.openGroup(draft.detector(), AlertEvents.runKey(draft.runId()));
    if (holder != null) {
      book.addItem(holder, item, ts);
      changed(holder, item, null, ts);
    } else if (withinRate(ts)) {
      Event raised = AlertEvents.raised(draft);
      publish(raised);
      holder = book.entry(raised.id());
    } else {
      holder = book.openSummary();
      if (holder == null) {
        Event suppressed = AlertEvents.suppressed(draft, config.newAlertsPerMinute());
        publish(suppressed);
        holder = book.entry(suppressed.id());
      } else {
        book.addItem(holder, item, ts);
        changed(holder, item, null, ts);
      }
    }
    listener.found(item, holder.id, this::emit);
  }

  @Override
  public void resolve(String detector, String key, String reason, List<String> evidence, Instant ts) {
    AlertEntry holder = book.holderOf(detector, key);
    if (holder == null) {
      return;
    }
    AlertItem done = book.resolveItem(detector, key, ts, reason);
    if (holder.open > 0) {
      changed(holder, null, done, ts);
      return;
    }
    Pending p = pending.remove(holder.id);
    if (p == null) {
      p = new Pending();
    }
    p.note(null, done);
    flushes.cancel(holder.id);
    lastPublished.remove(holder.id);
    book.close(holder, ts, reason);
    emit(AlertEvents.resolved(holder, reason, evidence, ts, p.added, p.resolved));
  }

  @Override
  public boolean isOpen(String detector, String key) {
    return book.isOpen(detector, key);
  }

  /** Event time moved to {@code now}: publishes the changes whose turn came strictly before it. */
  public void advance(Instant now) {
    for (Deadlines.Due<String> due : flushes.due(now)) {
      flush(due.key(), due.at());
    }
  }

  private boolean withinRate(Instant ts) {
    long m = Math.floorDiv(ts.getEpochSecond(), 60);
    if (m > minute) {
      minute = m;
      raisedThisMinute = 0;
    }
    if (raisedThisMinute < config.newAlertsPerMinute()) {
      raisedThisMinute++;
      return true;
    }
    return false;
  }

  private void changed(AlertEntry holder, AlertItem added, AlertItem resolved, Instant ts) {
    pending.computeIfAbsent(holder.id, k -> new Pending()).note(added, resolved);
    Instant turn = lastPublished.getOrDefault(holder.id, Instant.MIN).plus(config.updateEvery());
    if (!ts.isBefore(turn)) {
      flush(holder.id, ts);
    } else if (!flushes.isSet(holder.id)) {
      flushes.set(holder.id, turn);
    }
  }

  private void flush(String alertId, Instant ts) {
    Pending p = pending.remove(alertId);
    flushes.cancel(alertId);
    AlertEntry entry = book.entry(alertId);
    if (p == null || entry == null || !entry.isOpen()) {
      return;
    }
    publish(AlertEvents.updated(entry, p.added, p.resolved, ts));
  }

  /** Emits an alert's event and remembers when the log last heard of the alert. */
  private void publish(Event e) {
    emit(e);
    lastPublished.put(e.data().get("alertId").asString(), e.ts());
  }

  private void emit(Event e) {
    book.apply(e);
    out.add(e);
  }
}
