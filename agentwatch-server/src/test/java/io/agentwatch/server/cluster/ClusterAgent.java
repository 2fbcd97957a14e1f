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
 * every batch not acknowledged yet — one at a time, each again after a pause while the node answers
 * 503 (with Kafka, ids the dead node had reserved are held until their reservation lapses), since
 * a later batch must not be stored before an earlier one. Runs until every batch is acknowledged.
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
  private volatile int refusals;
  /** After a failover: one batch at a time until every batch sent before it is acknowledged. */
  private boolean catchingUp;
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
        while (unacked.size() < (catchingUp ? 1 : WINDOW) && next < batches) {
          Batch batch = batch(next++);
          synchronized (this) {
            sent.addAll(batch.ids());
          }
          unacked.addLast(batch);
          publish(socket, batch);
        }
        JsonNode frame = socket.poll(100);
        if (frame != null) {
          if (catchingUp && isRefusal(frame)) {
            refusals++;
            Thread.sleep(500);
            publish(socket, unacked.getFirst());
          } else {
            boolean acked = receive(frame);
            if (catchingUp && acked) {
              if (unacked.isEmpty()) {
                catchingUp = false;
              } else {
                publish(socket, unacked.getFirst());
              }
            }
          }
        } else if (socket.closed().isDone()) {
          throw new IllegalStateException("connection lost");
        }
      } catch (IllegalStateException | CompletionException e) {
        // The node is gone: the next one gets every batch it has not acknowledged, in order.
        socket.close();
        node = Math.min(node + 1, nodes.size() - 1);
        failedOver = true;
        catchingUp = !unacked.isEmpty();
        socket = connect(nodes.get(node), deadline);
        if (catchingUp) {
          publish(socket, unacked.getFirst());
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

  /** A 503 for the one batch in flight: not stored, to be sent again. */
  private static boolean isRefusal(JsonNode frame) {
    return frame.get("op").stringValue().equals("error") && frame.path("status").intValue() == 503;
  }

  /** Takes an ack (true) or another frame (false); an error frame outside a catch-up is a failure. */
  private boolean receive(JsonNode frame) {
    String op = frame.get("op").stringValue();
    if (op.equals("error")) {
      throw new AssertionError(agentId + " got an error frame: " + frame);
    }
    if (!op.equals("ack")) {
      return false;
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
    return true;
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

  /** 503s while catching up after the failover. */
  int refusals() {
    return refusals;
  }

  boolean failedOver() {
    return failedOver;
  }

  Throwable failure() {
    return failure;
  }
}
