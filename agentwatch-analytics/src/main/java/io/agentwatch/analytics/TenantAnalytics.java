package io.agentwatch.analytics;

import io.agentwatch.analytics.alert.AlertBook;
import io.agentwatch.analytics.alert.AlertIssuer;
import io.agentwatch.analytics.alert.AlertItem;
import io.agentwatch.analytics.alert.AlertEvents;
import io.agentwatch.analytics.alert.AlertView;
import io.agentwatch.analytics.budget.Budget;
import io.agentwatch.analytics.budget.BudgetBook;
import io.agentwatch.analytics.budget.BudgetDetector;
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
import io.agentwatch.analytics.policy.Policy;
import io.agentwatch.analytics.policy.PolicyBook;
import io.agentwatch.analytics.policy.Responder;
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
 * whole tenant, the seven detectors, budgets and the {@code budget} detector, the tenant's alerts
 * and the policies that respond to them.
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
  private final AlertIssuer issuer;
  private final BudgetBook budgets = new BudgetBook();
  private final BudgetDetector budgetDetector = new BudgetDetector(budgets);
  private final PolicyBook policies = new PolicyBook(AnalyticsEngine.DETECTORS);
  private Instant clock;
  private Instant lastReceivedAt;

  public TenantAnalytics(AnalyticsConfig config) {
    this.interactions = new Interactions(config.parentMemory());
    this.tasks = new TaskTracker(config.endedTaskMemory());
    this.issuer = new AlertIssuer(alerts, config.alerts());
    issuer.listen(new Responder(policies));
    RoutingLoopDetector loops = new RoutingLoopDetector(config.routingLoop());
    this.detectors = List.of(
        loops,
        new StuckTaskDetector(config.stuckTask(), loops::isLooping),
        new LostAgentDetector(config.lostAgent(), agents),
        new ResourceHoardingDetector(config.resourceHoarding(), agents),
        new CommunicationCascadeDetector(config.communicationCascade()),
        new InconsistentAgentDetector(config.inconsistentAgent()),
        new AnomalyDetector(config.anomaly()),
        budgetDetector);
  }

  /**
   * Applies the tenant's next event in log order and returns the alert events it causes (to be
   * appended to the tenant's log), in order.
   *
   * @param receivedAt when the server received it (only used by {@link #liveTime})
   */
  public List<Event> apply(Event e, Instant receivedAt) {
    if (AlertEvents.isAlert(e.type()) || e.type().equals(Policy.MATCHED)) {
      alerts.apply(e);
      return List.of();
    }
    if (e.type().equals(Budget.SET) || e.type().equals(Budget.DELETED)) {
      // Configuration, not activity: it does not move event time.
      List<Event> out = issuer.start();
      String changed = budgets.apply(e);
      if (changed != null) {
        budgetDetector.changed(changed, e, issuer);
      }
      return out;
    }
    if (e.type().equals(Policy.SET) || e.type().equals(Policy.DELETED)) {
      policies.apply(e);
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
      // A policy's command names its alert: the book shows what was done about it.
      alerts.apply(e);
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
    issuer.advance(now);
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
    boolean lost = alerts.isOpen(LostAgentDetector.NAME, agentId);
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
    for (AlertBook.OpenItem open : alerts.openItems(RoutingLoopDetector.NAME)) {
      AlertItem loop = open.item();
      if (runId == null || runId.equals(loop.runId())) {
        loops.add(new Loop(open.alertId(), loop.runId(), loop.agents(), loop.raisedAt()));
      }
    }
    return loops;
  }

  /** An open routing loop: the alert that holds it and its agents in cycle order. */
  public record Loop(String alertId, String runId, List<String> cycle, Instant since) {}

  /** The tenant's budgets as of its log, each with what its subjects spent (the most first, at most {@code max}). */
  public List<BudgetState> budgets(int max) {
    List<BudgetState> out = new ArrayList<>();
    for (Budget.Stored b : budgets.all()) {
      out.add(new BudgetState(b, budgetDetector.usage(b.budget().id(), max)));
    }
    return out;
  }

  public BudgetState budget(String id, int max) {
    Budget.Stored b = budgets.get(id);
    return b == null ? null : new BudgetState(b, budgetDetector.usage(id, max));
  }

  /** A budget and its use. */
  public record BudgetState(Budget.Stored stored, List<BudgetDetector.Use> usage) {}

  /** The tenant's policies as of its log. */
  public PolicyBook policies() {
    return policies;
  }

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

}
