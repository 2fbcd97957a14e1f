package io.agentwatch.analytics.budget;

import io.agentwatch.analytics.config.InvalidDefinitionException;
import io.agentwatch.analytics.facts.EventFacts;
import io.agentwatch.model.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tenant's budgets: a fold of its {@code budget.set} and {@code budget.deleted} events in log
 * order, so they replay with the log. {@code budget.set} of an id that exists replaces it. A stored
 * definition that no longer reads (it cannot happen through the API) is skipped. Not thread-safe.
 */
public final class BudgetBook {

  private static final System.Logger LOG = System.getLogger(BudgetBook.class.getName());

  private final Map<String, Budget.Stored> budgets = new LinkedHashMap<>();

  /**
   * Applies a budget event; returns the id of the budget it changed (set or deleted), or null.
   */
  public String apply(Event e) {
    switch (e.type()) {
      case Budget.SET -> {
        try {
          Budget b = Budget.parse(e.data().get("budget"), null);
          budgets.remove(b.id());
          budgets.put(b.id(), new Budget.Stored(b, e.ts(), EventFacts.text(e.data(), "by")));
          return b.id();
        } catch (InvalidDefinitionException | NullPointerException bad) {
          LOG.log(System.Logger.Level.WARNING, "skipping budget event " + e.id() + ": " + bad.getMessage());
          return null;
        }
      }
      case Budget.DELETED -> {
        String id = EventFacts.text(e.data(), "budgetId");
        return id != null && budgets.remove(id) != null ? id : null;
      }
      default -> {
        return null;
      }
    }
  }

  public Budget.Stored get(String id) {
    return budgets.get(id);
  }

  /** Every budget, in the order they were first set. */
  public List<Budget.Stored> all() {
    return new ArrayList<>(budgets.values());
  }

  public boolean isEmpty() {
    return budgets.isEmpty();
  }
}
