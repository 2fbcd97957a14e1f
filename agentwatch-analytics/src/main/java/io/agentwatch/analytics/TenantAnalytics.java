package io.agentwatch.analytics;

import io.agentwatch.analytics.alert.AlertBook;
import io.agentwatch.analytics.alert.AlertDraft;
import io.agentwatch.analytics.alert.AlertEvents;
import io.agentwatch.analytics.alert.AlertView;
import io.agentwatch.analytics.alert.Signals;
import io.agentwatch.analytics.detect.AnomalyDetector;
import io.agentwatch.analytics.detect.CommunicationCascadeDetector;
import io.agentwatch.analytics.detect.Detector;
import io.agentwatch.analytics.detect.InconsistentAgentDetector;
import io.agentwatch.analytics.detect.LostAgentDetector;
import io.agentwatch.analytics.detect.Observation;
import io.agentwatch.analytics.detect.ResourceHoardingDetector;
import io.agentwatch.analytics.detect.RoutingLoopDetector;
import io.agentwatch.analytics.detect.RunEnd;
import io.agentwatch.analytics.detect.StuckTaskDetector;
import io.agentwatch.analytics.facts.AgentRegistry;
import io.agentwatch.analytics.facts.TaskTracker;
import io.agentwatch.analytics.graph.CausalGraph;
import io.agentwatch.analytics.graph.GraphData;
import io.agentwatch.analytics.graph.Interaction;
import io.agentwatch.analytics.graph.Interactions;
import io.agentwatch.model.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The analytics of one tenant: shared facts (agents, tasks), causal graphs per run and for the
 * whole tenant, the seven detectors and the tenant's alerts.
 *
 * <p>Deterministic: its only inputs are the events given to {@link #apply} in log order and the
 * instants given to {@link #advanceTo}; time is event time ({@code ts}), which moves forward with
 * the latest {@code ts} seen. Before an event is applied, every deadline strictly before its
 * {@code ts} fires. The same inputs always give the same alert events, with the same ids.
 *
 * <p>Its own {@code alert.*} events are never inputs to the detectors; they only keep the alert
 * book current (including alerts appended by an earlier run of the analytics, which it may later
 * resolve). Events the API writes about agents ({@code command.issued}, edits) only update the
 * agent facts. Not thread-safe.
 */
public final class TenantAnalytics {

  /** Event types the server writes itself: facts about agents, not activity of an agent. */
  private static final Set<String> CONTROL_TYPES = Set.of(AgentRegistry.COMMAND_ISSUED, "agent.edited", "run.edited");
  /** The events that end a run, with the outcome each stands for. */
  private static final Map<String, String> RUN_ENDS = Map.of(
      "run.completed", "completed", "run.failed", "failed", "run.cancelled", "cancelled");

  private final AgentRegistry agents = new AgentRegistry();
  private final TaskTracker tasks;
  private final Interactions interactions;
  private final CausalGraph tenantGraph = new CausalGraph();
  private final Map<String, CausalGraph> runGraphs = new HashMap<>();
  /** Runs that ended (completed, failed or cancelled): their open tasks are abandoned, not watched. */
  private final Set<String> endedRuns = new HashSet<>();
  private final AlertBook alerts = new AlertBook();
  private final List<Detector> detectors;
  private final Issuer issuer = new Issuer();
  private Instant clock;
  private Instant lastReceivedAt;

  public TenantAnalytics(AnalyticsConfig config) {
    this.interactions = new Interactions(config.parentMemory());
    this.tasks = new TaskTracker(config.endedTaskMemory());
    this.detectors = List.of(
        new RoutingLoopDetector(config.routingLoop()),
        new StuckTaskDetector(config.stuckTask()),
        new LostAgentDetector(config.lostAgent(), agents),
        new ResourceHoardingDetector(config.resourceHoarding(), agents),
        new CommunicationCascadeDetector(config.communicationCascade()),
        new InconsistentAgentDetector(config.inconsistentAgent()),
        new AnomalyDetector(config.anomaly()));
  }

  /**
   * Applies the tenant's next event in log order and returns the alert events it causes (to be
   * appended to the tenant's log), in order.
   *
   * @param receivedAt when the server received it (only used by {@link #liveTime})
   */
  public List<Event> apply(Event e, Instant receivedAt) {
    if (AlertEvents.isAlert(e.type())) {
      alerts.apply(e);
      return List.of();
    }
    List<Event> out = issuer.start();
    if (clock == null || e.ts().isAfter(clock)) {
      fire(e.ts());
      clock = e.ts();
    }
    lastReceivedAt = receivedAt;
    agents.apply(e);
    if (CONTROL_TYPES.contains(e.type())) {
      return out;
    }
    TaskTracker.Change change = tasks.apply(e);
    List<Interaction> links = interactions.of(e);
    if (e.runId() != null) {
      record(runGraphs.computeIfAbsent(e.runId(), k -> new CausalGraph()), e, links);
    }
    record(tenantGraph, e, links);
    String runKey = e.runId() == null ? "" : e.runId();
    Observation o = new Observation(e, change, links, endedRuns.contains(runKey));
    for (Detector d : detectors) {
      d.observe(o, issuer);
    }
    String outcome = RUN_ENDS.get(e.type());
    if (outcome != null && e.runId() != null && endedRuns.add(runKey)) {
      RunEnd end = new RunEnd(runKey, outcome, e, tasks.endRun(runKey));
      for (Detector d : detectors) {
        d.runEnded(end, issuer);
      }
    }
    return out;
  }

  private static void record(CausalGraph graph, Event e, List<Interaction> links) {
    graph.sent(e.agentId(), e.ts());
    links.forEach(graph::link);
  }

  /**
   * Moves event time forward to {@code t} without an event (a tick), firing what falls due; does
   * nothing before the first event or when {@code t} is not later than the clock.
   */
  public List<Event> advanceTo(Instant t) {
    List<Event> out = issuer.start();
    if (clock != null && t.isAfter(clock)) {
      fire(t);
      clock = t;
    }
    return out;
  }

  private void fire(Instant now) {
    for (Detector d : detectors) {
      d.advance(now, issuer);
    }
  }

  /**
   * The event time a tick at wall time {@code wallNow} stands for: the latest event time plus the
   * wall time since the server received the last event. For live agents that is about
   * {@code wallNow}; for an uploaded old session it moves on from the session's end instead of
   * jumping to today. Null before the first event.
   */
  public Instant liveTime(Instant wallNow) {
    if (clock == null || lastReceivedAt == null) {
      return null;
    }
    Duration quiet = Duration.between(lastReceivedAt, wallNow);
    return quiet.isNegative() ? clock : clock.plus(quiet);
  }

  /** A copy of a run's causal graph, or null when the run has no events. */
  public GraphData runGraph(String runId) {
    CausalGraph g = runGraphs.get(runId);
    return g == null ? null : g.snapshot(this::describe);
  }

  /** A copy of the causal graph of all the tenant's runs (and events outside runs). */
  public GraphData tenantGraph() {
    return tenantGraph.snapshot(this::describe);
  }

  private GraphData.Agent describe(String agentId) {
    AgentRegistry.Agent a = agents.get(agentId);
    boolean lost = alerts.open(LostAgentDetector.NAME, agentId) != null;
    return a == null ? new GraphData.Agent(null, null, false, false, lost)
        : new GraphData.Agent(a.role(), a.status(), a.quarantined(), a.offline(), lost);
  }

  /**
   * The routing loops the detector raised that are open in run {@code runId} (every run when null):
   * what the graph shows as loops. A cycle in the graph is not a loop by itself; delegating and
   * hearing back makes one.
   */
  public List<Loop> openLoops(String runId) {
    List<Loop> loops = new ArrayList<>();
    for (AlertView a : alerts.all()) {
      if (a.isOpen() && a.detector().equals(RoutingLoopDetector.NAME) && (runId == null || runId.equals(a.runId()))) {
        loops.add(new Loop(a.id(), a.runId(), a.agents(), a.raisedAt()));
      }
    }
    return loops;
  }

  /** An open routing loop: the alert that holds it and its agents in cycle order. */
  public record Loop(String alertId, String runId, List<String> cycle, Instant since) {}

  public AlertBook.Page alerts(AlertBook.Query query) {
    return alerts.list(query);
  }

  public AlertView alert(String alertId) {
    return alerts.get(alertId);
  }

  /** Every alert of the tenant in log order. */
  public List<AlertView> allAlerts() {
    return alerts.all();
  }

  /** Turns detector signals into alert events, consulting and updating the alert book. */
  private final class Issuer implements Signals {

    private List<Event> out = new ArrayList<>();

    List<Event> start() {
      out = new ArrayList<>();
      return out;
    }

    @Override
    public void raise(AlertDraft draft) {
      if (alerts.open(draft.detector(), draft.key()) != null
          || alerts.knows(AlertEvents.raisedId(draft.detector(), draft.key(), draft.cause()))) {
        return;
      }
      emit(AlertEvents.raised(draft));
    }

    @Override
    public void resolve(String detector, String key, String reason, List<String> evidence, Instant ts) {
      AlertView open = alerts.open(detector, key);
      if (open != null) {
        emit(AlertEvents.resolved(open, reason, evidence, ts));
      }
    }

    @Override
    public boolean isOpen(String detector, String key) {
      return alerts.open(detector, key) != null;
    }

    private void emit(Event alert) {
      alerts.apply(alert);
      out.add(alert);
    }
  }
}
