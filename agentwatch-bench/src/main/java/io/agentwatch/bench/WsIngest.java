package io.agentwatch.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * WebSocket producers: each socket keeps up to {@code window} publishes of {@code batch} events
 * in flight (acks come back in publish order) and publishes as fast as acks free the window.
 */
final class WsIngest {

  record Plan(String name, Envelopes envelopes, int sockets, int window, int batch, Duration duration) {}

  private static final Duration DRAIN = Duration.ofSeconds(60);

  private final HttpClient client;
  private final URI socketUri;
  private final String key;
  private final CpuMeter cpu;

  WsIngest(HttpClient client, URI base, String key, CpuMeter cpu) {
    this.client = client;
    this.socketUri = LoadBench.socketUri(base);
    this.key = key;
    this.cpu = cpu;
  }

  PhaseResult run(Plan plan, IdLedger ledger) throws InterruptedException {
    return run(plan, ledger, 0);
  }

  /** With producer numbers from {@code firstProducer}, so runs through several servers share a ledger. */
  PhaseResult run(Plan plan, IdLedger ledger, int firstProducer) throws InterruptedException {
    List<WsPublisher> publishers = new ArrayList<>();
    for (int i = 0; i < plan.sockets(); i++) {
      WsPublisher p = new WsPublisher(firstProducer + i, plan.envelopes(), ledger, plan.window());
      WebSocket ws = client.newWebSocketBuilder()
          .header("Authorization", "Bearer " + key)
          .connectTimeout(Duration.ofSeconds(10))
          .buildAsync(socketUri, p)
          .orTimeout(15, TimeUnit.SECONDS)
          .join();
      p.attach(ws);
      publishers.add(p);
    }
    CpuMeter.Sample before = cpu.sample();
    long start = System.nanoTime();
    long end = start + plan.duration().toNanos();
    List<Thread> threads = new ArrayList<>();
    for (WsPublisher p : publishers) {
      threads.add(Thread.ofVirtual().name("ws-producer").start(() -> p.publishUntil(end, plan.batch(), DRAIN)));
    }
    for (Thread t : threads) {
      t.join(plan.duration().plus(DRAIN).plusSeconds(10));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    CpuMeter.Share share = CpuMeter.between(before, cpu.sample());
    Histogram latency = Latency.newMicrosHistogram();
    long events = 0;
    long requests = 0;
    long errors = 0;
    String firstError = null;
    for (WsPublisher p : publishers) {
      p.close();
      synchronized (p) {
        latency.add(p.latency());
        events += p.events();
        requests += p.requests();
        errors += p.errors();
        firstError = firstError == null ? p.firstError() : firstError;
      }
    }
    return new PhaseResult(plan.name(), ledger.runId(), events, seconds, requests, errors, firstError, 0,
        Latency.of(latency), share);
  }
}
