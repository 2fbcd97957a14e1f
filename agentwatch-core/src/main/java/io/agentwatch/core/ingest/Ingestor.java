package io.agentwatch.core.ingest;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.log.AppendResult;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import io.agentwatch.model.InvalidEventException;
import io.agentwatch.model.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import tools.jackson.databind.JsonNode;

/**
 * Validates a batch, appends the valid events to the log, and reports per event: accepted,
 * duplicate, or rejected with every problem. Invalid events never reach the log; valid events of
 * the same batch still go in. The future completes when the accepted events are durable.
 */
public final class Ingestor {

  private final EventLog log;
  private final PipelineMetrics metrics;

  public Ingestor(EventLog log, PipelineMetrics metrics) {
    this.log = log;
    this.metrics = metrics;
  }

  public CompletableFuture<IngestResult> ingest(String tenant, Batch batch) {
    long started = System.nanoTime();
    metrics.received(batch.size());
    List<Event> valid = new ArrayList<>(batch.size());
    List<IngestResult.Rejection> rejected = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      Batch.Item item = batch.items().get(i);
      String id = idOf(item.node());
      if (item.problem() != null) {
        rejected.add(new IngestResult.Rejection(i, id, List.of(item.problem())));
      } else if (item.bytes() > Batch.MAX_EVENT_BYTES) {
        rejected.add(new IngestResult.Rejection(i, id, List.of(new Problem("",
            "event must be at most " + Batch.MAX_EVENT_BYTES + " bytes serialized but was " + item.bytes()))));
      } else {
        try {
          valid.add(EventCodec.decode(item.node(), item.bytes()));
        } catch (InvalidEventException e) {
          rejected.add(new IngestResult.Rejection(i, id, e.problems()));
        }
      }
    }
    metrics.rejected(rejected.size());
    if (valid.isEmpty()) {
      return CompletableFuture.completedFuture(new IngestResult(List.of(), List.of(), rejected));
    }
    return log.append(tenant, valid).thenApply(results -> {
      List<String> accepted = new ArrayList<>(results.size());
      List<String> duplicates = new ArrayList<>();
      for (AppendResult r : results) {
        (r.isDuplicate() ? duplicates : accepted).add(r.id());
      }
      metrics.accepted(accepted.size());
      metrics.duplicates(duplicates.size());
      metrics.acked(System.nanoTime() - started);
      return new IngestResult(accepted, duplicates, rejected);
    });
  }

  private static String idOf(JsonNode node) {
    JsonNode id = node == null || !node.isObject() ? null : node.get("id");
    return id != null && id.isString() ? id.stringValue() : null;
  }
}
