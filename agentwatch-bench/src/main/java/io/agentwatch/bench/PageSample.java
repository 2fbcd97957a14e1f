package io.agentwatch.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the page recorded during one phase (see {@code page-probe.js}), summarised.
 *
 * @param frames         time between consecutive animation frames
 * @param delays         producer send time to the painted frame that showed the event
 * @param longTasks      main-thread tasks over 50 ms that started in the window (-1 when the
 *                       browser does not report long tasks)
 * @param longTaskMs     their total duration
 * @param windowMs       how long frames were recorded
 * @param waiting        events applied but not painted when the phase closed
 * @param evictedUnseen  events pushed out of the store's last 5,000 in the update that brought them
 * @param untimed        events without {@code data.sentAtMs} (not the bench's)
 * @param gaps           {@code gap} notices the page's connection got
 * @param resets         {@code reset} notices it got
 * @param notLiveMs      time in the window the header said anything but {@code live} (another
 *                       connection state, or {@code behind}: live but late)
 * @param statuses       what the header said, in order: the connection states, and {@code behind}
 * @param statusAtEnd    what the header said when the phase closed
 * @param evicted        events the store evicted during the phase (its capacity is 5,000)
 * @param duplicates     redelivered events the store dropped
 * @param visibility     {@code document.visibilityState}: must be visible, or frames are throttled
 */
record PageSample(Spread frames, Spread delays, long longTasks, double longTaskMs, double windowMs, long waiting,
                  long evictedUnseen, long untimed, long gaps, long resets, double notLiveMs, List<String> statuses,
                  String statusAtEnd, long evicted, long duplicates, String visibility) {

  /** Events the page showed or dropped in the phase: what it received of those sent in the window. */
  long received() {
    return delays.count() + waiting + evictedUnseen;
  }

  /** Share of the window the main thread spent in long tasks. */
  double longTaskShare() {
    return longTasks < 0 || windowMs <= 0 ? Double.NaN : longTaskMs / windowMs;
  }

  boolean stayedLive() {
    return gaps == 0 && resets == 0 && notLiveMs == 0 && "live".equals(statusAtEnd);
  }

  /** Reads the object {@code __awProbe.finish()} returned through WebDriver. */
  static PageSample of(Map<String, Object> raw) {
    List<Number> longTasks = numbers(raw.get("longTasks"));
    boolean observed = Boolean.TRUE.equals(raw.get("longTasksObserved"));
    double longTaskMs = longTasks.stream().mapToDouble(Number::doubleValue).sum();
    List<List<Object>> statuses = lists(raw.get("statuses"));
    List<String> names = new ArrayList<>();
    for (List<Object> s : statuses) {
      names.add(String.valueOf(s.get(1)));
    }
    return new PageSample(
        Spread.ofMillis(numbers(raw.get("frames"))),
        Spread.ofMillis(numbers(raw.get("delays"))),
        observed ? longTasks.size() : -1,
        longTaskMs,
        number(raw.get("windowMs")),
        (long) number(raw.get("pending")),
        (long) number(raw.get("evictedUnseen")),
        (long) number(raw.get("untimed")),
        (long) number(raw.get("gaps")),
        (long) number(raw.get("resets")),
        notLiveMs(statuses, number(raw.get("windowFrom")), number(raw.get("windowTo"))),
        List.copyOf(names),
        String.valueOf(raw.get("statusAtEnd")),
        (long) number(raw.get("evicted")),
        (long) number(raw.get("duplicates")),
        String.valueOf(raw.get("visibility")));
  }

  /**
   * Milliseconds within {@code [from, to]} that the connection was not {@code live}, from its
   * changes as {@code [epochMs, status]} pairs in time order; the first pair is the state at the
   * window's start.
   */
  static double notLiveMs(List<List<Object>> changes, double from, double to) {
    double total = 0;
    for (int i = 0; i < changes.size(); i++) {
      if ("live".equals(changes.get(i).get(1))) {
        continue;
      }
      double start = Math.max(from, number(changes.get(i).get(0)));
      double end = Math.min(to, i + 1 < changes.size() ? number(changes.get(i + 1).get(0)) : to);
      total += Math.max(0, end - start);
    }
    return total;
  }

  private static double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
  }

  @SuppressWarnings("unchecked")
  private static List<Number> numbers(Object o) {
    return o instanceof List<?> l ? (List<Number>) l : List.of();
  }

  @SuppressWarnings("unchecked")
  private static List<List<Object>> lists(Object o) {
    return o instanceof List<?> l ? (List<List<Object>>) l : List.of();
  }
}
