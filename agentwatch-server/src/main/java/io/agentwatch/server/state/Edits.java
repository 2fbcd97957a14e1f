package io.agentwatch.server.state;

import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.state.ProjectionUpdater;
import io.agentwatch.model.Event;
import io.agentwatch.server.web.ApiException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.node.ObjectNode;

/**
 * Optimistic locking for {@code PATCH}: the edit is checked against the {@code If-Match} version,
 * recorded as an event carrying that version, and answered once the projection applied it.
 *
 * <p>Edits of one entity are serialised on this node, so of two concurrent PATCHes with the same
 * version exactly one wins and the other gets 412. The event's {@code expectedVersion} makes the
 * projection itself refuse a stale edit, so nodes that edit the same entity concurrently cannot
 * both win either.
 */
final class Edits {

  /** The agent id recorded on edits that are not about an agent (run edits). */
  static final String API_AGENT = "agentwatch-api";
  private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(10);

  private final EventLog log;
  private final ProjectionUpdater projections;
  private final Clock clock;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  Edits(EventLog log, ProjectionUpdater projections, Clock clock) {
    this.log = log;
    this.projections = projections;
    this.clock = clock;
  }

  /**
   * Applies an edit if {@code ifMatch} names the current version.
   *
   * @param currentVersion reads the entity's version from the projection (after catching up)
   * @throws ApiException 428 without If-Match, 412 (carrying the current version) when stale
   */
  void edit(String tenant, String entityKey, String ifMatch, LongSupplier currentVersion, String type,
      String agentId, String runId, ObjectNode changes, String by) {
    if (ifMatch == null || ifMatch.isBlank()) {
      throw new ApiException(HttpStatus.PRECONDITION_REQUIRED,
          "send If-Match with the ETag from GET, so concurrent edits cannot overwrite each other");
    }
    ReentrantLock lock = locks.computeIfAbsent(tenant + '\u0000' + entityKey, k -> new ReentrantLock());
    lock.lock();
    try {
      awaitProjection(log.head());
      long version = currentVersion.getAsLong();
      if (!matches(ifMatch, version)) {
        throw new ApiException(HttpStatus.PRECONDITION_FAILED,
            "the version you edited (" + ifMatch + ") is no longer current; GET it again and reapply your change")
            .with("currentETag", etag(version));
      }
      changes.put("expectedVersion", version);
      if (by != null) {
        changes.put("by", by);
      }
      Event edit = new Event("edit-" + UUID.randomUUID(), type, agentId, runId, clock.instant(), null, null, changes);
      AppendResult result = log.append(tenant, List.of(edit)).join().getFirst();
      awaitProjection(result.stored().cursor());
    } finally {
      lock.unlock();
    }
  }

  private void awaitProjection(io.agentwatch.model.Cursor cursor) {
    try {
      if (!projections.awaitApplied(cursor, APPLY_TIMEOUT)) {
        throw ApiException.unavailable("projections are catching up with the log; retry shortly");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted while waiting for projections");
    }
  }

  static String etag(long version) {
    return "\"" + version + "\"";
  }

  private static boolean matches(String ifMatch, long version) {
    for (String candidate : ifMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.equals("*")) {
        return true;
      }
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals(etag(version))) {
        return true;
      }
    }
    return false;
  }
}
