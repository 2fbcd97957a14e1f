package io.agentwatch.core.ingest;

import io.agentwatch.model.Problem;
import java.util.List;

/**
 * The answer to one ingest request: which events are now durable, which were already there, and
 * which were refused and why.
 */
public record IngestResult(List<String> acceptedIds, List<String> duplicateIds, List<Rejection> rejected) {

  /** A refused event: its position in the request, its id if it had one, and every problem. */
  public record Rejection(int index, String id, List<Problem> problems) {

    public String error() {
      return String.join("; ", problems.stream().map(Problem::message).toList());
    }
  }

  public IngestResult {
    acceptedIds = List.copyOf(acceptedIds);
    duplicateIds = List.copyOf(duplicateIds);
    rejected = List.copyOf(rejected);
  }

  public int accepted() {
    return acceptedIds.size();
  }

  public int duplicates() {
    return duplicateIds.size();
  }
}
