package io.agentwatch.bench;

import io.agentwatch.model.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import tools.jackson.databind.JsonNode;

/**
 * HTTP producers: each a virtual thread POSTing batches to {@code /api/v1/events} one at a time,
 * either as fast as acks come (peak) or paced to a share of a total rate. A paced producer that
 * falls behind its schedule sends at once (never more than one second of backlog), so the rate
 * achieved shows whether the server kept up.
 */
final class HttpIngest {

  /**
   * @param eventsPerSecond total target rate over all producers, 0 = as fast as possible
   */
  record Plan(String name, EventBatches envelopes, int producers, int batch, Duration duration, double eventsPerSecond) {}

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final long ERROR_BACKOFF_NANOS = 100_000_000;

  private final HttpClient client;
  private final URI endpoint;
  private final String key;
  private final CpuMeter cpu;

  HttpIngest(HttpClient client, URI base, String key, CpuMeter cpu) {
    this.client = client;
    this.endpoint = base.resolve("/api/v1/events");
    this.key = key;
    this.cpu = cpu;
  }

  PhaseResult run(Plan plan, IdLedger ledger) throws InterruptedException {
    return run(plan, ledger, 0);
  }

  /** With producer numbers from {@code firstProducer}, so runs through several servers share a ledger. */
  PhaseResult run(Plan plan, IdLedger ledger, int firstProducer) throws InterruptedException {
    List<Producer> producers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    CpuMeter.Sample before = cpu.sample();
    long start = System.nanoTime();
    long end = start + plan.duration().toNanos();
    long interval = plan.eventsPerSecond() > 0
        ? (long) (1e9 * plan.batch() * plan.producers() / plan.eventsPerSecond()) : 0;
    for (int i = 0; i < plan.producers(); i++) {
      Producer p = new Producer(firstProducer + i, plan, ledger, start + interval * i / plan.producers(), interval,
          end);
      producers.add(p);
      threads.add(Thread.ofVirtual().name("http-producer-" + i).start(p));
    }
    for (Thread t : threads) {
      t.join(plan.duration().plus(REQUEST_TIMEOUT).plusSeconds(10));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    CpuMeter.Share share = CpuMeter.between(before, cpu.sample());
    Histogram latency = Latency.newMicrosHistogram();
    long events = 0;
    long requests = 0;
    long errors = 0;
    String firstError = null;
    for (Producer p : producers) {
      synchronized (p) {
        latency.add(p.latency);
        events += p.events;
        requests += p.requests;
        errors += p.errors;
        firstError = firstError == null ? p.firstError : firstError;
      }
    }
    return new PhaseResult(plan.name(), ledger.runId(), events, seconds, requests, errors, firstError,
        plan.eventsPerSecond(), Latency.of(latency), share);
  }

  private final class Producer implements Runnable {
    private final int index;
    private final Plan plan;
    private final IdLedger ledger;
    private final long interval;
    private final long end;
    private long nextSlot;
    private final Histogram latency = Latency.newMicrosHistogram();
    private long events;
    private long requests;
    private long errors;
    private String firstError;

    Producer(int index, Plan plan, IdLedger ledger, long firstSlot, long interval, long end) {
      this.index = index;
      this.plan = plan;
      this.ledger = ledger;
      this.nextSlot = firstSlot;
      this.interval = interval;
      this.end = end;
    }

    @Override
    public synchronized void run() {
      long seq = 0;
      while (System.nanoTime() < end) {
        if (interval > 0 && !awaitSlot()) {
          break;
        }
        String body = plan.envelopes().array(index, seq, plan.batch());
        HttpRequest request = HttpRequest.newBuilder(endpoint)
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .timeout(REQUEST_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.US_ASCII))
            .build();
        long sent = System.nanoTime();
        try {
          HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
          long micros = (System.nanoTime() - sent) / 1000;
          requests++;
          if (response.statusCode() == 200) {
            latency.recordValue(micros);
            BitSet rejected = rejected(response.body());
            int acked = plan.batch() - rejected.cardinality();
            if (!rejected.isEmpty()) {
              error("rejected " + rejected.cardinality() + " events: " + response.body());
            }
            ledger.acked(index, seq, plan.batch(), rejected);
            events += acked;
          } else {
            error("HTTP " + response.statusCode() + ": " + response.body());
          }
        } catch (IOException e) {
          error(e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        seq += plan.batch();
      }
    }

    /** Waits for the next paced slot; false when the phase ends first. */
    private boolean awaitSlot() {
      long now = System.nanoTime();
      // Behind by more than a second: drop the backlog rather than burst.
      if (now - nextSlot > 1_000_000_000L) {
        nextSlot = now;
      }
      while ((now = System.nanoTime()) < nextSlot) {
        if (nextSlot >= end) {
          return false;
        }
        LockSupport.parkNanos(nextSlot - now);
      }
      nextSlot += interval;
      return true;
    }

    private void error(String message) {
      errors++;
      if (firstError == null) {
        firstError = message.length() > 300 ? message.substring(0, 300) + "…" : message;
      }
      LockSupport.parkNanos(ERROR_BACKOFF_NANOS);
    }
  }

  /** Batch indexes listed in the answer's {@code rejected}. */
  private static BitSet rejected(String answer) {
    BitSet rejected = new BitSet();
    if (answer.contains("\"rejected\":[]")) {
      return rejected;
    }
    JsonNode list = EventCodec.JSON.readTree(answer).get("rejected");
    if (list != null) {
      for (JsonNode r : list) {
        rejected.set(r.get("index").asInt());
      }
    }
    return rejected;
  }
}
