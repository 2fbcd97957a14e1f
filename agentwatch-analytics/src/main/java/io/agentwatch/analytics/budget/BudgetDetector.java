package io.agentwatch.analytics.budget;

import io.agentwatch.analytics.alert.AlertDraft;
import io.agentwatch.analytics.alert.Severity;
import io.agentwatch.analytics.alert.Signals;
import io.agentwatch.analytics.config.Fields;
import io.agentwatch.analytics.detect.Deadlines;
import io.agentwatch.analytics.detect.Detector;
import io.agentwatch.analytics.detect.Observation;
import io.agentwatch.analytics.detect.RunEnd;
import io.agentwatch.analytics.facts.EventFacts;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code budget}: model use ({@code llm.call}: tokens = input + output, {@code costUsd}, one call
 * each) against the tenant's {@link Budget}s. For each budget and subject (agent, run or tenant)
 * it warns once the spend in the window reaches {@code warnAt} of the limit (severity warning)
 * and raises once it reaches the limit (critical), with the spend, the limit and the window as
 * facts. A warning resolves when the spend falls under {@code warnAt} again, a breach when it
 * falls under the limit (windows roll on, checked when their oldest slot leaves); both resolve
 * when their run ends (per-run budgets) or the budget is deleted or replaced.
 *
 * <p>A finding names the spender: the agent of a per-agent budget, else the agents that spent in
 * the window, the most first.
 */
public final class BudgetDetector implements Detector {

  public static final String NAME = "budget";
  private static final String WARN = "warn";
  private static final String BREACH = "breach";
  private static final int MAX_SPENDERS = 10;

  /** One subject of one budget: its spend and, for runs and the tenant, each agent's part. */
  private static final class Account {
    final Spend spend;
    final Map<String, Spend> byAgent = new LinkedHashMap<>();

    Account(Budget b) {
      this.spend = new Spend(b.window());
    }
  }

  private record Key(String budgetId, String subject) {}

  private final BudgetBook book;
  private final Map<Key, Account> accounts = new HashMap<>();
  private final Deadlines<Key> checks = new Deadlines<>();
  private Instant clock = Instant.MIN;

  public BudgetDetector(BudgetBook book) {
    this.book = book;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void observe(Observation o, Signals signals) {
    Event e = o.event();
    clock = e.ts().isAfter(clock) ? e.ts() : clock;
    if (!e.type().equals("llm.call") || book.isEmpty()) {
      return;
    }
    for (Budget.Stored stored : book.all()) {
      Budget b = stored.budget();
      if (!b.covers(e.agentId(), e.runId()) || b.per() == Budget.Per.RUN && o.runOver()) {
        continue;
      }
      double amount = switch (b.metric()) {
        case TOKENS -> EventFacts.inputTokens(e) + EventFacts.outputTokens(e);
        case COST_USD -> EventFacts.costUsd(e);
        case LLM_CALLS -> 1;
      };
      Key key = new Key(b.id(), b.subject(e.agentId(), e.runId()));
      Account account = accounts.computeIfAbsent(key, k -> new Account(b));
      account.spend.add(e.ts(), amount, e.id());
      if (b.per() != Budget.Per.AGENT) {
        account.byAgent.computeIfAbsent(e.agentId(), a -> new Spend(b.window())).add(e.ts(), amount, null);
      }
      evaluate(b, key, account, e.ts(), e.id(), e.runId(), signals);
    }
  }

  private void evaluate(Budget b, Key key, Account account, Instant now, String cause, String eventRun,
      Signals signals) {
    double spent = account.spend.at(now);
    double share = spent / b.limit();
    String warnKey = itemKey(key, WARN);
    String breachKey = itemKey(key, BREACH);
    String runId = b.per() == Budget.Per.RUN ? key.subject() : b.per() == Budget.Per.AGENT ? eventRun : null;
    if (cause != null && share >= b.warnAt() && !signals.isOpen(NAME, warnKey)) {
      signals.raise(draft(b, key, account, WARN, spent, now, cause, runId));
    }
    if (cause != null && share >= 1 && !signals.isOpen(NAME, breachKey)) {
      signals.raise(draft(b, key, account, BREACH, spent, now, cause, runId));
    }
    String told = b.metric().amount(spent) + " in the last " + windowWords(b);
    if (share < 1) {
      signals.resolve(NAME, breachKey, "spend fell under the limit: " + told, List.of(), now);
    }
    if (share < b.warnAt()) {
      signals.resolve(NAME, warnKey, "spend fell under " + percent(b.warnAt()) + " of the limit: " + told, List.of(),
          now);
    }
    Instant next = account.spend.nextExpiry(now);
    if (next != null && (signals.isOpen(NAME, warnKey) || signals.isOpen(NAME, breachKey))) {
      checks.set(key, next);
    } else {
      checks.cancel(key);
    }
  }

  private AlertDraft draft(Budget b, Key key, Account account, String level, double spent, Instant now, String cause,
      String runId) {
    List<String> spenders = spenders(b, key, account, now);
    String who = switch (b.per()) {
      case AGENT -> "Agent " + key.subject();
      case RUN -> "Run " + key.subject();
      case TENANT -> "The tenant";
    };
    String message = who + " spent " + b.metric().amount(spent) + " in " + windowWords(b) + ", "
        + percent(spent / b.limit()) + " of budget '" + b.title() + "' (" + b.metric().amount(b.limit()) + " per "
        + b.per().label() + (b.window() == null ? "" : " per " + Fields.format(b.window())) + ")"
        + (level.equals(WARN) ? ": it warns at " + percent(b.warnAt()) + "." : ": the budget is exhausted.")
        + (b.per() == Budget.Per.AGENT ? "" : " Biggest spender: " + spenders.getFirst() + ".");
    ObjectNode facts = EventCodec.JSON.createObjectNode();
    facts.put("budgetId", b.id());
    facts.put("metric", b.metric().label());
    facts.put("per", b.per().label());
    facts.put("subject", key.subject());
    facts.put("spend", spent);
    facts.put("limit", b.limit());
    facts.put("share", spent / b.limit());
    facts.put("warnAt", b.warnAt());
    facts.put("level", level);
    if (b.window() != null) {
      facts.put("window", Fields.format(b.window()));
      facts.put("from", now.minus(b.window()).toString());
    }
    facts.put("to", now.toString());
    String label = b.title() + (b.per() == Budget.Per.TENANT ? "" : " · " + b.per().label() + " " + key.subject())
        + (level.equals(WARN) ? " · warning" : " · exhausted");
    return new AlertDraft(NAME, itemKey(key, level), cause, level.equals(WARN) ? Severity.WARNING : Severity.CRITICAL,
        runId, spenders, List.copyOf(account.spend.recent), message, now, label, facts);
  }

  /** The agent of a per-agent budget; else those that spent in the window, the most first. */
  private static List<String> spenders(Budget b, Key key, Account account, Instant now) {
    if (b.per() == Budget.Per.AGENT) {
      return List.of(key.subject());
    }
    List<Map.Entry<String, Double>> parts = new ArrayList<>();
    account.byAgent.forEach((agent, spend) -> {
      double v = spend.at(now);
      if (v > 0) {
        parts.add(Map.entry(agent, v));
      }
    });
    parts.sort(Map.Entry.<String, Double>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey()));
    return parts.stream().limit(MAX_SPENDERS).map(Map.Entry::getKey).toList();
  }

  @Override
  public void advance(Instant now, Signals signals) {
    clock = now.isAfter(clock) ? now : clock;
    // A check re-armed while handling another may itself be due already: repeat until none is.
    for (List<Deadlines.Due<Key>> dues = checks.due(now); !dues.isEmpty(); dues = checks.due(now)) {
      for (Deadlines.Due<Key> due : dues) {
        Budget.Stored stored = book.get(due.key().budgetId());
        Account account = accounts.get(due.key());
        if (stored != null && account != null) {
          // Judged as of the moment the slot left, so a replay without ticks decides the same.
          evaluate(stored.budget(), due.key(), account, due.at(), null, null, signals);
        }
      }
    }
  }

  @Override
  public void runEnded(RunEnd end, Signals signals) {
    for (Iterator<Map.Entry<Key, Account>> it = accounts.entrySet().iterator(); it.hasNext(); ) {
      Key key = it.next().getKey();
      Budget.Stored stored = book.get(key.budgetId());
      if (stored != null && stored.budget().per() == Budget.Per.RUN && key.subject().equals(end.runKey())) {
        it.remove();
        checks.cancel(key);
        for (String level : List.of(WARN, BREACH)) {
          signals.resolve(NAME, itemKey(key, level), "run " + end.runKey() + " " + end.verb(),
              List.of(end.event().id()), end.event().ts());
        }
      }
    }
  }

  /**
   * The budget {@code budgetId} was deleted or replaced: what it found is over, and a replaced
   * budget counts again from nothing.
   */
  public void changed(String budgetId, Event cause, Signals signals) {
    for (Iterator<Map.Entry<Key, Account>> it = accounts.entrySet().iterator(); it.hasNext(); ) {
      Key key = it.next().getKey();
      if (key.budgetId().equals(budgetId)) {
        it.remove();
        checks.cancel(key);
        for (String level : List.of(WARN, BREACH)) {
          signals.resolve(NAME, itemKey(key, level), "budget " + budgetId + " was "
              + (book.get(budgetId) == null ? "deleted" : "replaced"), List.of(cause.id()), cause.ts());
        }
      }
    }
  }

  /** What the subjects of a budget spent, as of the analytics' event time, the most first. */
  public List<Use> usage(String budgetId, int max) {
    Budget.Stored stored = book.get(budgetId);
    if (stored == null) {
      return List.of();
    }
    Budget b = stored.budget();
    Instant now = clock;
    List<Use> uses = new ArrayList<>();
    accounts.forEach((key, account) -> {
      if (key.budgetId().equals(budgetId)) {
        double spent = account.spend.at(now);
        if (spent > 0 || b.window() == null) {
          uses.add(new Use(key.subject(), spent, spent / b.limit(),
              spent >= b.limit() ? "exhausted" : spent >= b.warnAt() * b.limit() ? "warning" : "ok"));
        }
      }
    });
    uses.sort(Comparator.comparingDouble(Use::spend).reversed().thenComparing(Use::subject));
    return uses.size() > max ? List.copyOf(uses.subList(0, max)) : List.copyOf(uses);
  }

  /**
   * A subject's use of a budget.
   *
   * @param subject the agent, the run, or "" for the tenant
   * @param share   spend ÷ limit (1 = exhausted)
   * @param state   ok, warning or exhausted
   */
  public record Use(String subject, double spend, double share, String state) {}

  private static String itemKey(Key key, String level) {
    return key.budgetId() + '|' + key.subject() + '|' + level;
  }

  private static String windowWords(Budget b) {
    return b.window() == null ? (b.per() == Budget.Per.RUN ? "the run so far" : "total")
        : "the last " + Fields.format(b.window());
  }

  private static String percent(double share) {
    return String.format(Locale.ROOT, "%.0f%%", share * 100);
  }
}
