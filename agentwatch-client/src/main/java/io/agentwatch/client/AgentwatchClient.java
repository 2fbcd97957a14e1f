package io.agentwatch.client;

import io.agentwatch.client.OutboundBuffer.Entry;
import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import tools.jackson.databind.node.ObjectNode;

/**
 * The SDK an agent embeds to stream its events to Agentwatch.
 *
 * <pre>{@code
 * try (AgentwatchClient client = AgentwatchClient.builder("http://localhost:8080")
 *     .apiKey(System.getenv("AGENTWATCH_KEY"))
 *     .agentId("worker-1")
 *     .onCommand(command -> CommandOutcome.done())
 *     .build()) {
 *   client.start();
 *   client.emit(EventDraft.of("task.started").run("run-42").put("taskId", "t1"));
 * }   // close() sends what is buffered, waiting up to closeTimeout
 * }</pre>
 *
 * <p><b>Emitting.</b> {@link #emit} validates the event (an invalid one throws
 * {@link io.agentwatch.model.InvalidEventException} at once, as a programming error), gives it a
 * unique id unless it has one, and puts it in the buffer; it never waits for the network. The
 * returned {@link Emission#stored()} completes when the server acknowledged the event as durable.
 *
 * <p><b>Sending.</b> One thread of the client's own sends batches in emit order (up to
 * {@code maxBatchEvents}, gathered for up to {@code linger}), one batch in flight at a time, over
 * the WebSocket {@code /api/v1/ws} and, while it cannot be opened, over {@code POST /api/v1/events};
 * the socket is tried again with backoff all the while. An event leaves the buffer only after the
 * server's ack, which comes after the event is durable; whatever was not acked when a connection
 * broke is sent again, and the server drops the duplicates by id. Failed sends wait with
 * exponential backoff and full jitter, at least as long as a {@code Retry-After} asks. An event the
 * server refuses for what it is goes to {@link ClientListener#rejected} and is not sent again.
 *
 * <p><b>The buffer</b> holds at most {@code maxBufferedEvents} events and {@code maxBufferedBytes}.
 * When an event does not fit, the oldest queued {@link Priority#LOW} events (metrics, logs,
 * heartbeats) are evicted first, then the oldest {@link Priority#NORMAL} ones; an event never evicts
 * one of a higher class, and {@link Priority#CRITICAL} events (task, run, status, error) are never
 * evicted. When nothing may be evicted, {@code emit} answers {@link Emission.Status#BACK_PRESSURE}
 * and leaves the buffer as it was: nothing is dropped silently. Evictions are counted by type in
 * {@link #stats()} and reported to {@link ClientListener#evicted}.
 *
 * <p><b>Commands.</b> With an agent id, the client says {@code hello} on every connection, and the
 * server's {@code command} frames go to the {@link CommandHandler}; after it returns, the client
 * emits {@code command.acknowledged} ({@code parentId} = the command's id, data
 * {@code commandId}, {@code type}, {@code outcome} applied|rejected, {@code reason}).
 *
 * <p><b>Closing</b> stops taking events, waits up to {@code closeTimeout} until everything buffered
 * is acknowledged, then stops; events still buffered then complete with
 * {@link EventNotStoredException.Reason#CLOSED}. Thread-safe.
 */
public final class AgentwatchClient implements AutoCloseable {

  private final ClientOptions options;
  private final OutboundBuffer buffer;
  private final Ids ids;
  private final HttpClient http;
  private final boolean ownsHttp;
  private final CommandDispatch commands;
  private final Sender sender;
  private final AtomicLong emitted = new AtomicLong();
  private Thread senderThread;
  private volatile boolean closed;

  private AgentwatchClient(ClientOptions options, HttpClient http) {
    this.options = options;
    this.buffer = new OutboundBuffer(options.maxBufferedEvents(), options.maxBufferedBytes());
    this.ids = new Ids(options.clock());
    this.ownsHttp = http == null;
    this.http = http != null ? http : HttpClient.newBuilder().connectTimeout(options.connectTimeout()).build();
    this.commands = new CommandDispatch(options.commandHandler(), this::emit);
    this.sender = new Sender(options, buffer, this.http, commands::accept);
  }

  /** A builder for a server at {@code url}, e.g. {@code http://localhost:8080}. */
  public static Builder builder(String url) {
    return new Builder(URI.create(url));
  }

  /** A builder for a server at {@code url}. */
  public static Builder builder(URI url) {
    return new Builder(url);
  }

  /**
   * Starts the sending thread, which connects (and says {@code hello}) right away. Emitting starts
   * it too; call it first when the agent must receive commands before it has anything to say.
   */
  public synchronized AgentwatchClient start() {
    if (senderThread == null && !closed) {
      senderThread = Thread.ofVirtual().name("agentwatch-sender").start(sender);
    }
    return this;
  }

  /** The agent this client speaks for, or null. */
  public String agentId() {
    return options.agentId();
  }

  /** Emits an event of {@code type} with {@code data}, for the client's agent and run. */
  public Emission emit(String type, Map<String, ?> data) {
    return emit(EventDraft.of(type, data));
  }

  /**
   * Validates the event and buffers it for sending; never blocks on the network.
   *
   * @throws io.agentwatch.model.InvalidEventException when the event breaks the envelope or payload rules
   * @throws IllegalStateException when the draft has no agent and the client none either
   */
  public Emission emit(EventDraft draft) {
    String id = draft.id() != null ? draft.id() : ids.next();
    if (closed) {
      return notTaken(id, draft.type(), Emission.Status.CLOSED, EventNotStoredException.Reason.CLOSED,
          "the client is closed");
    }
    Event event = EventCodec.decode(envelope(draft, id));
    Entry entry = new Entry(id, event.type(),
        draft.priority() != null ? draft.priority() : Priority.of(event.type()), EventCodec.encodeEnvelope(event));
    OutboundBuffer.Offer offer = buffer.offer(entry);
    for (Entry e : offer.evicted()) {
      options.listener().evicted(e.id, e.type);
      e.stored.completeExceptionally(new EventNotStoredException(e.id, e.type,
          EventNotStoredException.Reason.EVICTED, "evicted from the full buffer for " + entry));
    }
    if (!offer.accepted()) {
      return notTaken(id, entry.type, Emission.Status.BACK_PRESSURE, EventNotStoredException.Reason.REFUSED,
          "the buffer is full of events that may not be evicted for it");
    }
    emitted.incrementAndGet();
    if (senderThread == null) {
      start();
    }
    return new Emission(id, Emission.Status.BUFFERED, entry.stored);
  }

  private static Emission notTaken(String id, String type, Emission.Status status,
      EventNotStoredException.Reason reason, String message) {
    return new Emission(id, status,
        CompletableFuture.failedFuture(new EventNotStoredException(id, type, reason, message)));
  }

  private ObjectNode envelope(EventDraft draft, String id) {
    String agentId = draft.agentId() != null ? draft.agentId() : options.agentId();
    if (agentId == null) {
      throw new IllegalStateException("event " + draft.type() + " names no agent and the client has no agentId");
    }
    ObjectNode node = EventCodec.JSON.createObjectNode();
    node.put("id", id);
    node.put("type", draft.type());
    node.put("agentId", agentId);
    String runId = draft.runId() != null ? draft.runId() : options.runId();
    if (runId != null) {
      node.put("runId", runId);
    }
    node.put("ts", (draft.ts() != null ? draft.ts() : options.clock().instant()).toString());
    if (draft.parentId() != null) {
      node.put("parentId", draft.parentId());
    }
    if (draft.target() != null) {
      node.put("target", draft.target());
    }
    node.set("data", EventCodec.JSON.valueToTree(draft.dataFields()));
    return node;
  }

  /**
   * Waits until every event emitted before this call left the buffer (acknowledged, rejected or
   * evicted).
   *
   * @return false when {@code timeout} passed first
   */
  public boolean flush(Duration timeout) throws InterruptedException {
    if (senderThread == null && buffer.counts().buffered() > 0) {
      start();
    }
    return buffer.awaitSettled(buffer.mark(), timeout);
  }

  /** A snapshot of the counters. */
  public ClientStats stats() {
    OutboundBuffer.Counts c = buffer.counts();
    return new ClientStats(c.buffered(), c.bufferedBytes(), emitted.get(), c.sent(), c.acked(), c.duplicates(),
        c.rejected(), c.refused(), c.droppedByType(), sender.transport(), sender.connects());
  }

  /** Test entry point: handles a command object as if the server had sent it, synchronously. */
  Emission receiveCommand(tools.jackson.databind.JsonNode command) {
    return commands.run(command);
  }

  /** Closes after waiting up to the builder's {@code closeTimeout} for the buffer to drain. */
  @Override
  public void close() {
    close(options.closeTimeout());
  }

  /**
   * Stops taking events, waits up to {@code timeout} until every buffered event is acknowledged,
   * then stops sending.
   *
   * @return whether everything emitted was settled before the client stopped
   */
  public boolean close(Duration timeout) {
    Thread thread;
    synchronized (this) {
      if (closed) {
        return buffer.counts().buffered() == 0;
      }
      closed = true;
      thread = senderThread;
    }
    boolean drained = buffer.counts().buffered() == 0;
    if (thread != null && !drained) {
      try {
        drained = buffer.awaitSettled(Long.MAX_VALUE, timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    sender.stop();
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    commands.close();
    List<Entry> abandoned = buffer.abandonAll();
    for (Entry e : abandoned) {
      e.stored.completeExceptionally(new EventNotStoredException(e.id, e.type, EventNotStoredException.Reason.CLOSED,
          "the client closed before the server acknowledged it"));
    }
    if (ownsHttp) {
      http.close();
    }
    return drained && abandoned.isEmpty();
  }

  /** Settings of a client; every one has a default but the server's URL. */
  public static final class Builder {

    private final URI url;
    private URI webSocketUri;
    private String apiKey;
    private String agentId;
    private String runId;
    private boolean webSocket = true;
    private boolean httpFallback = true;
    private int maxBufferedEvents = 10_000;
    private long maxBufferedBytes = 16L * 1024 * 1024;
    private int maxBatchEvents = 500;
    private long maxBatchBytes = 1024 * 1024;
    private Duration linger = Duration.ofMillis(5);
    private Duration backoffInitial = Duration.ofMillis(200);
    private Duration backoffMax = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(30);
    private Duration closeTimeout = Duration.ofSeconds(10);
    private Clock clock = Clock.systemUTC();
    private RandomGenerator random = new java.util.Random();
    private ClientListener listener = new ClientListener() {};
    private CommandHandler commandHandler;
    private HttpClient httpClient;

    private Builder(URI url) {
      Objects.requireNonNull(url, "url");
      if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
        throw new IllegalArgumentException("url must be http:// or https:// but was " + url);
      }
      String s = url.toString();
      this.url = URI.create(s.endsWith("/") ? s : s + "/");
    }

    /** The API key ({@code ingest} scope); none when the server runs without auth. */
    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
      return this;
    }

    /** The agent this client speaks for: the default {@code agentId} of events, and its {@code hello}. */
    public Builder agentId(String agentId) {
      this.agentId = agentId;
      return this;
    }

    /** The default {@code runId} of events. */
    public Builder runId(String runId) {
      this.runId = runId;
      return this;
    }

    /** Where the WebSocket is, when not at {@code <url>/api/v1/ws} (a proxy path, say). */
    public Builder webSocketUri(URI uri) {
      this.webSocketUri = uri;
      return this;
    }

    /** false = HTTP batches only, no WebSocket (and so no commands). */
    public Builder webSocket(boolean enabled) {
      this.webSocket = enabled;
      return this;
    }

    /** false = WebSocket only: while it is down, events wait in the buffer. */
    public Builder httpFallback(boolean enabled) {
      this.httpFallback = enabled;
      return this;
    }

    /** Buffer bounds: at most this many events and UTF-16 characters of their JSON (default 10,000 and 16 MiB). */
    public Builder maxBuffered(int events, long bytes) {
      this.maxBufferedEvents = events;
      this.maxBufferedBytes = bytes;
      return this;
    }

    /** Batch bounds (default 500 events, 1 MiB). */
    public Builder maxBatch(int events, long bytes) {
      this.maxBatchEvents = events;
      this.maxBatchBytes = bytes;
      return this;
    }

    /** How long a batch may wait for more events before it is sent (default 5 ms). */
    public Builder linger(Duration linger) {
      this.linger = linger;
      return this;
    }

    /** Backoff between failed attempts: full jitter, cap doubling from {@code initial} to {@code max}. */
    public Builder backoff(Duration initial, Duration max) {
      this.backoffInitial = initial;
      this.backoffMax = max;
      return this;
    }

    /** Connect (default 5 s) and request/ack (default 30 s) timeouts. */
    public Builder timeouts(Duration connect, Duration request) {
      this.connectTimeout = connect;
      this.requestTimeout = request;
      return this;
    }

    /** How long {@link #close()} waits for the buffer to drain (default 10 s). */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = timeout;
      return this;
    }

    /** The clock of producer times and of Retry-After dates. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The source of backoff jitter. */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    public Builder listener(ClientListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Builder onCommand(CommandHandler handler) {
      this.commandHandler = handler;
      return this;
    }

    /** Shares an HttpClient between clients (many agents in one process); the client does not close it. */
    public Builder httpClient(HttpClient http) {
      this.httpClient = http;
      return this;
    }

    /** A client ready to {@link AgentwatchClient#start()}; nothing is connected yet. */
    public AgentwatchClient build() {
      URI ws = webSocketUri != null ? webSocketUri
          : URI.create(url.toString().replaceFirst("^http", "ws")).resolve("api/v1/ws");
      ClientOptions options = new ClientOptions(url, ws, apiKey, agentId, runId, webSocket, httpFallback,
          maxBufferedEvents, maxBufferedBytes, maxBatchEvents, maxBatchBytes, linger,
          new Backoff(backoffInitial, backoffMax), connectTimeout, requestTimeout, closeTimeout, clock, random,
          new SafeListener(listener), commandHandler);
      return new AgentwatchClient(options, httpClient);
    }
  }
}
