package io.agentwatch.client;

import io.agentwatch.model.EventCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * A minimal RFC 6455 WebSocket server on loopback that plays the Agentwatch server's part as a
 * test scripts it: it records every frame a client sends and answers each with what
 * {@link #answer} returns (by default an ack of every published id). The JDK has a WebSocket
 * client but no server, and the real server lives in a module that depends on this one.
 */
public final class ScriptedSocketServer implements AutoCloseable {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  private final ServerSocket listener;
  private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
  private final List<Socket> connections = new CopyOnWriteArrayList<>();
  private final List<OutputStream> outputs = new CopyOnWriteArrayList<>();
  private final Map<String, OutputStream> byAgent = new ConcurrentHashMap<>();
  private final List<JsonNode> events = new CopyOnWriteArrayList<>();
  volatile Function<JsonNode, List<Object>> answer = ScriptedSocketServer::ackAll;
  volatile int refuseHandshakeWith;
  volatile int handshakes;

  private ScriptedSocketServer() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("scripted-ws-accept").start(this::acceptLoop);
  }

  public static ScriptedSocketServer start() throws IOException {
    return new ScriptedSocketServer();
  }

  public URI httpUri() {
    return URI.create("http://127.0.0.1:" + listener.getLocalPort());
  }

  /** An ack of every event of a publish, as the server sends once they are durable. */
  static List<Object> ackAll(JsonNode frame) {
    if (!"publish".equals(frame.path("op").asString())) {
      return List.of();
    }
    List<String> ids = new ArrayList<>();
    frame.path("events").forEach(e -> ids.add(e.path("id").asString()));
    return List.of(Map.of("op", "ack", "ref", frame.path("ref").asString(), "ids", ids, "duplicates", List.of(),
        "rejected", List.of()));
  }

  /** The next frame any client sent, skipping pings; fails after {@code seconds}. */
  JsonNode next(int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      JsonNode frame = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (frame == null) {
        throw new AssertionError("no frame within " + seconds + " s");
      }
      if (!"ping".equals(frame.path("op").asString())) {
        return frame;
      }
    }
  }

  /** The next frame with {@code op}, skipping others. */
  JsonNode next(String op, int seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      int left = (int) Math.max(1, TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime()));
      JsonNode frame = next(left);
      if (op.equals(frame.path("op").asString())) {
        return frame;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + op + " frame within " + seconds + " s");
      }
    }
  }

  /** Sends a text frame to the newest connection. */
  void send(Object frame) throws IOException {
    OutputStream out = outputs.getLast();
    writeText(out, EventCodec.JSON.writeValueAsString(frame));
  }

  /** Sends a text frame to the connection whose client said hello as {@code agentId}. */
  public void sendTo(String agentId, Object frame) throws IOException {
    OutputStream out = byAgent.get(agentId);
    if (out == null) {
      throw new AssertionError("no connection said hello as " + agentId);
    }
    writeText(out, EventCodec.JSON.writeValueAsString(frame));
  }

  /** Every event published by any client, in arrival order. */
  public List<JsonNode> events() {
    return events;
  }

  /** Whether a client said hello as {@code agentId}. */
  public boolean helloFrom(String agentId) {
    return byAgent.containsKey(agentId);
  }

  /** Waits up to 30 s for {@code condition}. */
  public void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
    TestWait.until(what, 30, condition);
  }

  /** Cuts every connection without a close frame, as a crashing server would. */
  void dropConnections() {
    for (Socket s : connections) {
      try {
        s.close();
      } catch (IOException e) {
        // Gone already.
      }
    }
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket socket = listener.accept();
        connections.add(socket);
        Thread.ofVirtual().name("scripted-ws-conn").start(() -> serve(socket));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket socket) {
    try (socket) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      String key = null;
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        if (line.toLowerCase().startsWith("sec-websocket-key:")) {
          key = line.substring(line.indexOf(':') + 1).trim();
        }
      }
      handshakes++;
      if (refuseHandshakeWith != 0 || key == null) {
        int status = refuseHandshakeWith != 0 ? refuseHandshakeWith : 400;
        out.write(("HTTP/1.1 " + status + " Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return;
      }
      String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
          .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
      out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      outputs.add(out);
      ByteArrayOutputStream message = new ByteArrayOutputStream();
      while (true) {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
          return;
        }
        int opcode = b0 & 0x0f;
        long length = b1 & 0x7f;
        if (length == 126) {
          length = (in.read() << 8) | in.read();
        } else if (length == 127) {
          length = 0;
          for (int i = 0; i < 8; i++) {
            length = (length << 8) | in.read();
          }
        }
        byte[] mask = in.readNBytes(4);
        byte[] payload = in.readNBytes((int) length);
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= mask[i % 4];
        }
        if (opcode == 8) {
          return;
        }
        if (opcode == 1 || opcode == 0) {
          message.write(payload);
          if ((b0 & 0x80) != 0) {
            JsonNode frame = EventCodec.JSON.readTree(message.toString(StandardCharsets.UTF_8));
            message.reset();
            received.add(frame);
            if ("hello".equals(frame.path("op").asString())) {
              byAgent.put(frame.path("agentId").asString(), out);
            } else if ("publish".equals(frame.path("op").asString())) {
              frame.path("events").forEach(events::add);
            }
            for (Object reply : answer.apply(frame)) {
              writeText(out, EventCodec.JSON.writeValueAsString(reply));
            }
          }
        }
      }
    } catch (Exception e) {
      // The connection ended.
    } finally {
      connections.remove(socket);
    }
  }

  private static synchronized void writeText(OutputStream out, String text) throws IOException {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    out.write(0x81);
    if (payload.length < 126) {
      out.write(payload.length);
    } else if (payload.length < 65_536) {
      out.write(126);
      out.write(payload.length >> 8);
      out.write(payload.length & 0xff);
    } else {
      out.write(127);
      for (int i = 7; i >= 0; i--) {
        out.write((int) ((long) payload.length >> (8 * i)) & 0xff);
      }
    }
    out.write(payload);
    out.flush();
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }

  @Override
  public void close() throws IOException {
    listener.close();
    dropConnections();
  }
}
