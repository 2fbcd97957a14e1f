package io.agentwatch.bench;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * A Server-Sent Events subscriber on a plain socket: one {@code GET} (the filter and options in
 * the query), then the response read as bytes on one virtual thread, chunked or not. Each message's
 * {@code data:} is counted as an event without decoding it; {@code event: gap} counts a gap and a
 * comment line counts a heartbeat. Plain {@code http://} only: the bench runs on loopback.
 */
final class RawSseSubscriber extends SubscriberState {

  private final Socket socket;
  private final InputStream in;
  private byte[] lineBuffer = new byte[256];
  private int lineLength;
  private boolean chunkRead;
  private boolean gapMessage;
  private long heartbeats;
  private volatile boolean closing;

  private RawSseSubscriber(Socket socket, InputStream in, CountDownLatch subscribed) {
    super("{}", false, subscribed);
    this.socket = socket;
    this.in = in;
  }

  /** Opens {@code GET <path>} (path and query) with the key and starts reading. */
  static RawSseSubscriber connect(URI base, String key, String pathAndQuery, CountDownLatch subscribed,
      int bufferBytes) throws IOException {
    Socket socket = new Socket();
    try {
      int port = base.getPort() > 0 ? base.getPort() : 80;
      socket.connect(new InetSocketAddress(base.getHost(), port), 10_000);
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream(), bufferBytes);
      socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + port
          + "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + key + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      RawSseSubscriber s = new RawSseSubscriber(socket, in, subscribed);
      Thread.ofVirtual().name("raw-sse-subscriber").start(s::readLoop);
      return s;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private void readLoop() {
    byte[] buffer = new byte[8 * 1024];
    try {
      boolean chunked = readHead();
      control("{\"op\":\"subscribed\"}");
      long chunkLeft = chunked ? 0 : Long.MAX_VALUE;
      while (true) {
        if (chunkLeft == 0) {
          if (chunkRead) {
            readLine(); // the CRLF that ends the previous chunk
          }
          chunkLeft = Long.parseLong(readLine().trim().split(";")[0], 16);
          chunkRead = true;
          if (chunkLeft == 0) {
            return;
          }
        }
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, chunkLeft));
        if (n < 0) {
          return;
        }
        chunkLeft -= n;
        scan(buffer, n);
      }
    } catch (IOException | RuntimeException e) {
      if (!closing) {
        error("stream failed: " + e);
      }
    } finally {
      close();
    }
  }

  /** Lines of the event stream in {@code bytes[0, n)}, with what was left of the last one. */
  private void scan(byte[] bytes, int n) {
    int from = 0;
    for (int i = 0; i < n; i++) {
      if (bytes[i] == '\n') {
        append(bytes, from, i);
        line(lineBuffer, lineLength);
        lineLength = 0;
        from = i + 1;
      }
    }
    append(bytes, from, n);
  }

  private void append(byte[] bytes, int from, int to) {
    int len = to - from;
    if (lineLength + len > lineBuffer.length) {
      lineBuffer = java.util.Arrays.copyOf(lineBuffer, Math.max(lineBuffer.length * 2, lineLength + len));
    }
    System.arraycopy(bytes, from, lineBuffer, lineLength, len);
    lineLength += len;
  }

  /** One line of the event stream; a blank one ends a message. */
  private void line(byte[] bytes, int length) {
    int len = length > 0 && bytes[length - 1] == '\r' ? length - 1 : length;
    if (len == 0) {
      gapMessage = false;
    } else if (bytes[0] == ':') {
      synchronized (this) {
        heartbeats++;
      }
    } else if (startsWith(bytes, len, "event: gap")) {
      gapMessage = true;
    } else if (startsWith(bytes, len, "data: ")) {
      if (gapMessage) {
        control("{\"op\":\"gap\"}");
      } else {
        events(bytes, 6, len);
      }
    }
  }

  /** Reads the status line and headers; returns whether the body is chunked. */
  private boolean readHead() throws IOException {
    String status = readLine();
    if (!status.startsWith("HTTP/1.1 200")) {
      throw new IOException("stream refused: " + status);
    }
    boolean chunked = false;
    String header;
    while (!(header = readLine()).isEmpty()) {
      String h = header.toLowerCase(Locale.ROOT);
      chunked |= h.startsWith("transfer-encoding:") && h.contains("chunked");
    }
    return chunked;
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = readByte()) != '\n') {
      if (b != '\r') {
        sb.append((char) b);
      }
      if (sb.length() > 16 * 1024) {
        throw new IOException("line too long");
      }
    }
    return sb.toString();
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("stream closed");
    }
    return b;
  }

  private static boolean startsWith(byte[] bytes, int len, String prefix) {
    if (len < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (bytes[i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  synchronized long heartbeats() {
    return heartbeats;
  }

  @Override
  void send(String frame) {
    // The stream's filter is in its URL; nothing is sent on it.
  }

  @Override
  void close() {
    closing = true;
    try {
      socket.close();
    } catch (IOException e) {
      // Already gone.
    }
  }
}
