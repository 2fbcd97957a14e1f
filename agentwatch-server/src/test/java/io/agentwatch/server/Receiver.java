package io.agentwatch.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.agentwatch.core.webhook.WebhookSignature;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A webhook receiver on 127.0.0.1 (JDK HttpServer) that records every request it gets and
 * answers as its {@link Behaviour} says: any status, or after a pause longer than the sender's
 * timeout. Each request is handled on its own virtual thread, so a hanging answer holds up
 * nothing else.
 */
public final class Receiver implements AutoCloseable {

  /** One request as it arrived, with the time it arrived. */
  public record Hit(String id, String timestamp, String signature, String contentType, String userAgent, String body,
                    long atNanos, int status) {

    /** Whether the request carries a valid Standard Webhooks signature for {@code secret}. */
    public boolean signedWith(String secret) {
      return WebhookSignature.verify(secret, id, Long.parseLong(timestamp), body, signature);
    }

    public String eventId() {
      return TestServer.json(body).get("id").stringValue();
    }
  }

  /** How to answer the n-th request (0-based, over all ids) and the k-th for this webhook-id. */
  @FunctionalInterface
  public interface Behaviour {
    /** The status to answer; may sleep first to make the sender time out. */
    int answer(int nth, int nthForId, String body) throws InterruptedException;
  }

  public static final Behaviour OK = (n, k, b) -> 200;

  private final HttpServer server;
  private final List<Hit> hits = new ArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();
  private volatile Behaviour behaviour;

  private Receiver(Behaviour behaviour) throws IOException {
    this.behaviour = behaviour;
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", this::handle);
    server.start();
  }

  public static Receiver start(Behaviour behaviour) {
    try {
      return new Receiver(behaviour);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  public void behave(Behaviour next) {
    behaviour = next;
  }

  private void handle(HttpExchange exchange) throws IOException {
    long at = System.nanoTime();
    String body;
    try (InputStream in = exchange.getRequestBody()) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String id = exchange.getRequestHeaders().getFirst("webhook-id");
    int nthForId = arrivals.computeIfAbsent(String.valueOf(id), k -> new AtomicInteger()).getAndIncrement();
    int status;
    try {
      status = behaviour.answer(requests.getAndIncrement(), nthForId, body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      status = 599;
    }
    var headers = exchange.getRequestHeaders();
    synchronized (hits) {
      hits.add(new Hit(id, headers.getFirst("webhook-timestamp"), headers.getFirst("webhook-signature"),
          headers.getFirst("Content-Type"), headers.getFirst("User-Agent"), body, at, status));
    }
    try {
      exchange.sendResponseHeaders(status, -1);
    } catch (IOException e) {
      // The sender gave up waiting and closed the connection: that is what a timeout looks like here.
    } finally {
      exchange.close();
    }
  }

  /** Every request so far, in the order their answers were decided. */
  public List<Hit> hits() {
    synchronized (hits) {
      return List.copyOf(hits);
    }
  }

  /** The requests answered with a 2xx. */
  public List<Hit> successes() {
    return hits().stream().filter(h -> h.status() >= 200 && h.status() < 300).toList();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
