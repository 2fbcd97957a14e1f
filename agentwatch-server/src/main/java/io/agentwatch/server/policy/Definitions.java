package io.agentwatch.server.policy;

import io.agentwatch.analytics.AnalyticsFollower;
import io.agentwatch.analytics.TenantAnalytics;
import io.agentwatch.analytics.alert.AlertEvents;
import io.agentwatch.analytics.config.InvalidDefinitionException;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.Cursor;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.http.HttpStatus;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What the budgets and policies endpoints share. Definitions are events in the tenant's log
 * ({@code budget.set}, {@code policy.set}…) that the analytics folds, so they replay with the log;
 * a write is checked against the analytics once it has caught up with the log, and answered once
 * the analytics has applied it, so a client reads what it wrote. Writes of one tenant are serialized on this node,
 * so that a policy checked against the others is appended before the next is checked.
 */
final class Definitions {

  static final int MAX_BODY = 64 * 1024;
  private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(10);

  private final AnalyticsFollower analytics;
  private final EventLog log;
  private final Clock clock;
  private final Map<String, ReentrantLock> writes = new ConcurrentHashMap<>();

  Definitions(AnalyticsFollower analytics, EventLog log, Clock clock) {
    this.analytics = analytics;
    this.log = log;
    this.clock = clock;
  }

  /** The request body as a JSON object (400 when it is not JSON, 413 when too large). */
  static JsonNode body(String body) {
    if (body == null || body.isBlank()) {
      throw ApiException.badRequest("body: is required, a JSON object");
    }
    if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY) {
      throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "body: must be at most " + MAX_BODY + " bytes");
    }
    try {
      return EventCodec.JSON.readTree(body);
    } catch (JacksonException e) {
      throw ApiException.badRequest("body: is not valid JSON: " + e.getOriginalMessage()).with("field", "body");
    }
  }

  /** A 400 naming the field at fault. */
  static ApiException invalid(InvalidDefinitionException e) {
    return ApiException.badRequest(e.getMessage()).with("field", e.field());
  }

  static ApiException conflict(String detail) {
    return new ApiException(HttpStatus.CONFLICT, detail);
  }

  static String newId(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /**
   * Reads the tenant's analytics once it has applied everything the log holds (null: no events
   * yet): what a write checks against.
   */
  <T> T read(Caller caller, Function<TenantAnalytics, T> reader) {
    await(log.head());
    return current(caller, reader);
  }

  /**
   * Reads the tenant's analytics as it is now, without waiting for it to catch up with the log: a
   * listing under heavy ingest answers at once. A client's own writes are in it, since a write is
   * answered only once the analytics has applied it.
   */
  <T> T current(Caller caller, Function<TenantAnalytics, T> reader) {
    return analytics.read(engine -> {
      TenantAnalytics tenant = engine.tenant(caller.tenant());
      return tenant == null ? null : reader.apply(tenant);
    });
  }

  /** Runs a check-then-write of the caller's tenant alone on this node. */
  <T> T serialized(Caller caller, Supplier<T> write) {
    ReentrantLock lock = writes.computeIfAbsent(caller.tenant(), t -> new ReentrantLock());
    lock.lock();
    try {
      return write.get();
    } finally {
      lock.unlock();
    }
  }

  /** Appends a definition event and waits until the analytics has applied it. */
  void append(Caller caller, String type, ObjectNode data) {
    data.put("by", caller.keyId());
    Event e = new Event(newId(type.replace('.', '-')), type, AlertEvents.API_AGENT, null, clock.instant(), null, null,
        data);
    AppendResult result = log.append(caller.tenant(), List.of(e)).join().getFirst();
    await(result.isDuplicate() ? log.head() : result.stored().cursor());
  }

  private void await(Cursor cursor) {
    try {
      if (!analytics.awaitApplied(cursor, VISIBLE_WITHIN)) {
        throw ApiException.unavailable("the analytics is catching up with the log; retry shortly");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted while waiting for the analytics");
    }
  }
}
