package io.agentwatch.server.cluster;

import io.agentwatch.server.Envelopes;
import io.agentwatch.server.TestSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import tools.jackson.databind.JsonNode;

/**
 * A producer as the SDK behaves: publishes batches over one WebSocket with a few unacknowledged at
 * a time, and when the connection is lost connects to the next node and sends again, in order,
 * every batch not acknowledged yet. Runs until every batch is acknowledged.
 */
final class ClusterAgent implements Runnable {

  private static final int WINDOW = 4;
  private static final Duration GIVE_UP_AFTER = Duration.ofMinutes(3);

  private record Batch(int number, List<String> ids) {}

  private final String agentId;
  private final String runId;
  private final int batches;
  private final int batchSize;
  private final List<URI> nodes;
  private final String key;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Deque<Batch> unacked = new ArrayDeque<>();
  private final List<String> sent = new ArrayList<>();
  private final List<String> acked = new ArrayList<>();
  private volatile boolean failedOver;
  private volatile int duplicates;
  private volatile Throwable failure;

  ClusterAgent(String agentId, String runId, int batches, int batchSize, List<URI> nodes, String key) {
    this.agentId = agentId;
    this.runId = runId;
    this.batches = batches;
    this.batchSize = batchSize;
    this.nodes = nodes;
    this.key = key;
  }

  String agentId() {
    return agentId;
  }

  @Override
  public void run() {
    try {
      publishAll();
    } catch (Throwable t) {
      failure = t;
    }
  }

  private void publishAll() throws InterruptedException {
    long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
    int node = 0;
    int next = 0;
    TestSocket socket = TestSocket.open(http, nodes.get(node), key, null);
    while (next < batches || !unacked.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(agentId + " gave up with " + unacked.size() + " batches unacknowledged");
      }
      try {
        while (unacked.size() < WINDOW && next < batches) {
          Batch batch = batch(next++);
          synchronized (this) {
            sent.addAll(batch.ids());
          }
          unacked.addLast(batch);
          publish(socket, batch);
        }
        JsonNode frame = socket.poll(100);
        if (frame != null) {
          receive(frame);
        } else if (socket.closed().isDone()) {
          throw new IllegalStateException("connection lost");
        }
      } catch (IllegalStateException | CompletionException e) {
        // The node is gone: the next one gets every batch it has not acknowledged, in order.
        socket.close();
        node = Math.min(node + 1, nodes.size() - 1);
        failedOver = true;
        socket = connect(nodes.get(node), deadline);
        for (Batch batch : unacked) {
          publish(socket, batch);
        }
      }
    }
    socket.close();
  }

  private TestSocket connect(URI node, long deadline) throws InterruptedException {
    while (true) {
      try {
        return TestSocket.open(http, node, key, null);
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  private void receive(JsonNode frame) {
    String op = frame.get("op").stringValue();
    if (op.equals("error")) {
      throw new AssertionError(agentId + " got an error frame: " + frame);
    }
    if (!op.equals("ack")) {
      return;
    }
    Batch first = unacked.peekFirst();
    int ref = frame.get("ref").intValue();
    if (first == null || ref != first.number()) {
      throw new AssertionError(agentId + " got the ack of batch " + ref + " while waiting for "
          + (first == null ? "none" : "that of " + first.number()));
    }
    if (!frame.get("rejected").isEmpty() || frame.get("ids").size() + frame.get("duplicates").size() != batchSize) {
      throw new AssertionError(agentId + " batch " + ref + " not fully accepted: " + frame);
    }
    unacked.removeFirst();
    duplicates += frame.get("duplicates").size();
    synchronized (this) {
      acked.addAll(first.ids());
    }
  }

  private void publish(TestSocket socket, Batch batch) {
    socket.send(Map.of("op", "publish", "ref", batch.number(), "events",
        batch.ids().stream().map(id -> Envelopes.log(id, agentId, runId)).toList()));
  }

  private Batch batch(int number) {
    return new Batch(number, IntStream.range(number * batchSize, (number + 1) * batchSize)
        .mapToObj(i -> agentId + "-" + i).toList());
  }

  synchronized int ackedCount() {
    return acked.size();
  }

  synchronized List<String> acked() {
    return List.copyOf(acked);
  }

  /** Every event id in the order the agent first sent it. */
  synchronized List<String> sent() {
    return List.copyOf(sent);
  }

  /** Events acknowledged as already stored: sent again after a failover though stored before it. */
  int duplicates() {
    return duplicates;
  }

  boolean failedOver() {
    return failedOver;
  }

  Throwable failure() {
    return failure;
  }
}
