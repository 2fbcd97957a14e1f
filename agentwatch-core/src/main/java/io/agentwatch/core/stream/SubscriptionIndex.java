package io.agentwatch.core.stream;

import io.agentwatch.model.Event;
import io.agentwatch.model.StoredEvent;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The subscriptions of one fan-out shard, indexed so that an event costs work only for those it
 * may match: by tenant, then by the most selective part of each filter — its run, else its agent,
 * else its exact types. Only subscriptions with none of these (every event, or type prefixes) are
 * looked at for every event of their tenant. Thread-safe: the shard reads it while connections
 * add and remove subscriptions.
 */
final class SubscriptionIndex {

  private static final class TenantIndex {
    final Map<String, Set<Subscription>> byRun = new ConcurrentHashMap<>();
    final Map<String, Set<Subscription>> byAgent = new ConcurrentHashMap<>();
    final Map<String, Set<Subscription>> byType = new ConcurrentHashMap<>();
    final Set<Subscription> unkeyed = ConcurrentHashMap.newKeySet();

    boolean isEmpty() {
      return byRun.isEmpty() && byAgent.isEmpty() && byType.isEmpty() && unkeyed.isEmpty();
    }
  }

  private final Map<String, TenantIndex> tenants = new ConcurrentHashMap<>();
  private final Set<Subscription> all = ConcurrentHashMap.newKeySet();

  void add(Subscription s) {
    all.add(s);
    tenants.compute(s.tenant(), (tenant, index) -> {
      TenantIndex t = index == null ? new TenantIndex() : index;
      var filter = s.filter();
      if (filter.runId() != null) {
        t.byRun.computeIfAbsent(filter.runId(), k -> ConcurrentHashMap.newKeySet()).add(s);
      } else if (filter.agentId() != null) {
        t.byAgent.computeIfAbsent(filter.agentId(), k -> ConcurrentHashMap.newKeySet()).add(s);
      } else if (!filter.types().isEmpty() && filter.typePrefixes().isEmpty()) {
        for (String type : filter.exactTypes()) {
          t.byType.computeIfAbsent(type, k -> ConcurrentHashMap.newKeySet()).add(s);
        }
      } else {
        t.unkeyed.add(s);
      }
      return t;
    });
  }

  void remove(Subscription s) {
    if (!all.remove(s)) {
      return;
    }
    tenants.computeIfPresent(s.tenant(), (tenant, t) -> {
      var filter = s.filter();
      if (filter.runId() != null) {
        removeFrom(t.byRun, filter.runId(), s);
      } else if (filter.agentId() != null) {
        removeFrom(t.byAgent, filter.agentId(), s);
      } else if (!filter.types().isEmpty() && filter.typePrefixes().isEmpty()) {
        for (String type : filter.exactTypes()) {
          removeFrom(t.byType, type, s);
        }
      } else {
        t.unkeyed.remove(s);
      }
      return t.isEmpty() ? null : t;
    });
  }

  private static void removeFrom(Map<String, Set<Subscription>> buckets, String key, Subscription s) {
    buckets.computeIfPresent(key, (k, set) -> {
      set.remove(s);
      return set.isEmpty() ? null : set;
    });
  }

  /** Calls {@code action} with each subscription whose tenant and filter match {@code stored}. */
  void forEachMatch(StoredEvent stored, Consumer<Subscription> action) {
    TenantIndex t = tenants.get(stored.tenant());
    if (t == null) {
      return;
    }
    Event event = stored.event();
    if (event.runId() != null) {
      matching(t.byRun.get(event.runId()), event, action);
    }
    matching(t.byAgent.get(event.agentId()), event, action);
    matching(t.byType.get(event.type()), event, action);
    matching(t.unkeyed, event, action);
  }

  private static void matching(Set<Subscription> candidates, Event event, Consumer<Subscription> action) {
    if (candidates == null) {
      return;
    }
    for (Subscription s : candidates) {
      if (s.filter().matches(event)) {
        action.accept(s);
      }
    }
  }

  Set<Subscription> all() {
    return all;
  }
}
