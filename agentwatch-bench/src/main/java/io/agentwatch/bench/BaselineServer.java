package io.agentwatch.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The raw baseline of the fan-out bench: a minimal server on the same engine (Jetty) and the same
 * transports as Agentwatch that sends the same bytes to the same sockets and nothing else — no
 * ingest, no log, no filters, no auth. Run as its own process so its CPU is measured apart:
 *
 * <pre>java -cp … io.agentwatch.bench.BaselineServer PORT</pre>
 *
 * <p>Clients connect to {@code /api/v1/ws} (a {@code subscribe} frame is answered with
 * {@code subscribed}) or {@code /api/v1/stream} (SSE). {@code GET /control/broadcast?rate=R&seconds=S&run=X}
 * starts sending 1 KB {@code log} events of run X, R per second (0: as fast as the slowest socket
 * takes them), each encoded once as a WebSocket frame and an SSE message and handed to every
 * connection by one sending thread per processor (each for its share of the connections, all
 * waiting events at once); {@code GET /control/status} answers {@code sent done}.
 */
public final class BaselineServer {

  private static final long IN_FLIGHT_LIMIT = 64 * 1024;

  /** One connection's unwritten bytes, so an unpaced broadcast waits for the slowest. */
  private static final class Outlet {
    final AtomicLong unwritten = new AtomicLong();
  }

  private final Set<CoreSession> sockets = ConcurrentHashMap.newKeySet();
  private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
  private final ConcurrentHashMap<Object, Outlet> outlets = new ConcurrentHashMap<>();
  private final AtomicLong sent = new AtomicLong();
  private volatile boolean broadcasting;

  public static void main(String[] args) throws Exception {
    new BaselineServer().run(Integer.parseInt(args[0]));
  }

  private void run(int port) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.setIdleTimeout(Duration.ofMinutes(10).toMillis());
    server.addConnector(connector);
    WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
      container.setIdleTimeout(Duration.ZERO);
      container.addMapping("/api/v1/ws", (request, response, callback) -> new Socket());
    });
    ws.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        if (path.equals("/api/v1/stream")) {
          new SseStream(response, callback).open();
          return true;
        }
        if (path.equals("/control/broadcast")) {
          Fields query = Request.extractQueryParameters(request);
          double rate = Double.parseDouble(query.getValue("rate"));
          double seconds = Double.parseDouble(query.getValue("seconds"));
          String run = query.getValue("run");
          Thread.ofPlatform().name("broadcast").start(() -> broadcast(run, rate, seconds));
          Response.writeError(request, response, callback, 202);
          return true;
        }
        if (path.equals("/control/status")) {
          response.write(true, ByteBuffer.wrap((sent.get() + " " + !broadcasting).getBytes(StandardCharsets.US_ASCII)),
              callback);
          return true;
        }
        return false;
      }
    });
    server.setHandler(ws);
    server.start();
    System.out.println("baseline listening on " + port);
    server.join();
  }

  /** A WebSocket that answers {@code subscribe} and {@code ping}; events come from the broadcast. */
  public final class Socket implements Session.Listener.AutoDemanding {
    private CoreSession core;

    @Override
    public void onWebSocketOpen(Session session) {
      core = ((WebSocketSession) session).getCoreSession();
      sockets.add(core);
      outlets.put(core, new Outlet());
    }

    @Override
    public void onWebSocketText(String message) {
      if (message.contains("\"op\":\"subscribe\"")) {
        send(core, ByteBuffer.wrap("{\"op\":\"subscribed\",\"sub\":\"s0\"}".getBytes(StandardCharsets.US_ASCII)));
      } else if (message.contains("\"op\":\"ping\"")) {
        send(core, ByteBuffer.wrap("{\"op\":\"pong\"}".getBytes(StandardCharsets.US_ASCII)));
      }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
      sockets.remove(core);
      outlets.remove(core);
    }
  }

  private void send(CoreSession core, ByteBuffer frame) {
    send(core, frame, false);
  }

  private void send(CoreSession core, ByteBuffer frame, boolean more) {
    Outlet outlet = outlets.get(core);
    int size = frame.remaining();
    if (outlet != null) {
      outlet.unwritten.addAndGet(size);
    }
    core.sendFrame(new Frame(OpCode.TEXT, frame), Callback.from(() -> {
      if (outlet != null) {
        outlet.unwritten.addAndGet(-size);
      }
    }, failure -> {
      if (outlet != null) {
        outlet.unwritten.addAndGet(-size);
      }
    }), more);
  }

  /** An open SSE response: one write at a time, the rest queued. */
  private final class SseStream {
    private final Response response;
    private final Callback done;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private final Outlet outlet = new Outlet();
    private boolean writing;

    SseStream(Response response, Callback done) {
      this.response = response;
      this.done = done;
    }

    void open() {
      response.setStatus(200);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
      streams.add(this);
      outlets.put(this, outlet);
      write(ByteBuffer.wrap("retry: 1000\n\n".getBytes(StandardCharsets.US_ASCII)));
    }

    void write(ByteBuffer bytes) {
      outlet.unwritten.addAndGet(bytes.remaining());
      synchronized (this) {
        if (writing) {
          queue.add(bytes);
          return;
        }
        writing = true;
      }
      flush(bytes);
    }

    private void flush(ByteBuffer bytes) {
      int size = bytes.remaining();
      response.write(false, bytes, Callback.from(() -> {
        outlet.unwritten.addAndGet(-size);
        ByteBuffer next;
        synchronized (this) {
          next = queue.poll();
          if (next == null) {
            writing = false;
            return;
          }
        }
        flush(next);
      }, failure -> {
        streams.remove(this);
        outlets.remove(this);
        done.failed(failure);
      }));
    }
  }

  /** One event, encoded once: its WebSocket frame and its SSE message. */
  private record Encoded(ByteBuffer frame, ByteBuffer message) {}

  /**
   * A sending thread for its share of the connections (as many as processors): it takes every
   * event waiting and hands each connection all of them at once, the last one flushing the batch,
   * as a careful raw server would.
   */
  private final class Worker implements Runnable {
    final ConcurrentLinkedQueue<Encoded> inbox = new ConcurrentLinkedQueue<>();
    final int index;
    volatile Thread thread;

    Worker(int index) {
      this.index = index;
    }

    @Override
    public void run() {
      thread = Thread.currentThread();
      List<Encoded> round = new ArrayList<>();
      while (true) {
        Encoded e;
        while ((e = inbox.poll()) != null) {
          round.add(e);
        }
        if (round.isEmpty()) {
          LockSupport.park(this);
          continue;
        }
        for (CoreSession socket : sockets) {
          if (Math.floorMod(socket.hashCode(), workers.size()) == index) {
            for (int i = 0; i < round.size(); i++) {
              send(socket, round.get(i).frame().duplicate(), i < round.size() - 1);
            }
          }
        }
        for (SseStream stream : streams) {
          if (Math.floorMod(stream.hashCode(), workers.size()) == index) {
            stream.write(concat(round));
          }
        }
        round.clear();
      }
    }

    void offer(Encoded e) {
      inbox.add(e);
      LockSupport.unpark(thread);
    }
  }

  private static ByteBuffer concat(List<Encoded> round) {
    if (round.size() == 1) {
      return round.getFirst().message().duplicate();
    }
    int size = round.stream().mapToInt(e -> e.message().remaining()).sum();
    ByteBuffer all = ByteBuffer.allocate(size);
    round.forEach(e -> all.put(e.message().duplicate()));
    return all.flip();
  }

  private final List<Worker> workers = new ArrayList<>();

  private synchronized void startWorkers() {
    if (workers.isEmpty()) {
      for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
        Worker w = new Worker(i);
        workers.add(w);
      }
      workers.forEach(w -> Thread.ofPlatform().name("baseline-sender-" + w.index).daemon(true).start(w));
    }
  }

  private void broadcast(String run, double rate, double seconds) {
    broadcasting = true;
    startWorkers();
    try {
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      long interval = rate > 0 ? (long) (1e9 / rate) : 0;
      long next = start;
      long seq = 0;
      Envelopes envelopes = new Envelopes(run);
      while (System.nanoTime() < end) {
        if (interval > 0) {
          long now = System.nanoTime();
          if (next > now) {
            LockSupport.parkNanos(next - now);
          }
          next += interval;
        } else {
          awaitRoom(end);
        }
        seq++;
        String cursor = "aw1.baseline." + Long.toString(seq + 1, 36);
        StringBuilder event = new StringBuilder(1200);
        envelopes.appendEvent(event, 0, seq, Instant.now().toString(), System.nanoTime());
        // The delivered form carries the server's fields after the producer's, as Agentwatch's does.
        event.setLength(event.length() - 1);
        event.append(",\"tenant\":\"default\",\"cursor\":\"").append(cursor).append("\",\"receivedAt\":\"")
            .append(Instant.now()).append("\"}");
        Encoded encoded = new Encoded(
            ByteBuffer.wrap(("{\"op\":\"event\",\"sub\":\"s0\",\"cursor\":\"" + cursor + "\",\"event\":" + event + "}")
                .getBytes(StandardCharsets.UTF_8)).asReadOnlyBuffer(),
            ByteBuffer.wrap(("id: " + cursor + "\nevent: log\ndata: " + event + "\n\n").getBytes(StandardCharsets.UTF_8))
                .asReadOnlyBuffer());
        workers.forEach(w -> w.offer(encoded));
        sent.incrementAndGet();
      }
      // Done when every worker has sent what it was given.
      while (workers.stream().anyMatch(w -> !w.inbox.isEmpty())) {
        LockSupport.parkNanos(1_000_000);
      }
    } finally {
      broadcasting = false;
    }
  }

  /** Unpaced: waits until every connection has room, so the slowest sets the pace and nothing is dropped. */
  private void awaitRoom(long end) {
    while (System.nanoTime() < end) {
      boolean room = true;
      for (Outlet outlet : outlets.values()) {
        if (outlet.unwritten.get() > IN_FLIGHT_LIMIT) {
          room = false;
          break;
        }
      }
      if (room) {
        return;
      }
      LockSupport.parkNanos(100_000);
    }
  }
}
