package io.agentwatch.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A subscriber on a plain socket speaking just enough RFC 6455 (handshake, masked client frames,
 * fragments, ping, close) for the bench. It reads frames as bytes on one virtual thread and finds
 * {@code sentNanos} in an event frame without decoding it, so 100 subscribers cost the machine
 * far less than the server's sending does, and the delivery phase measures the server rather
 * than its client. Plain {@code ws://} only: the bench runs on loopback.
 */
final class RawSubscriber extends SubscriberState {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int MAX_FRAME = 16 * 1024 * 1024;

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private volatile boolean closing;
  private volatile double framesPerSecond;
  private long nextRead;

  private volatile boolean paused;

  private RawSubscriber(Socket socket, InputStream in, String filter, boolean batch, boolean resubscribeOnGap,
      CountDownLatch subscribed) throws IOException {
    super(filter, batch, resubscribeOnGap, subscribed);
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = in;
  }

  static RawSubscriber connect(URI base, String key, String filter, boolean resubscribeOnGap,
      CountDownLatch subscribed) throws IOException {
    return connect(base, key, filter, false, resubscribeOnGap, subscribed, 64 * 1024);
  }

  /**
   * @param batch       subscribe with {@code "batch":true}
   * @param bufferBytes the read buffer (small for thousands of idle connections)
   */
  static RawSubscriber connect(URI base, String key, String filter, boolean batch, boolean resubscribeOnGap,
      CountDownLatch subscribed, int bufferBytes) throws IOException {
    Socket socket = new Socket();
    try {
      int port = base.getPort() > 0 ? base.getPort() : 80;
      socket.connect(new InetSocketAddress(base.getHost(), port), 10_000);
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(15_000);
      InputStream in = new BufferedInputStream(socket.getInputStream(), bufferBytes);
      handshake(socket.getOutputStream(), in, base.getHost() + ":" + port, key);
      socket.setSoTimeout(0);
      RawSubscriber s = new RawSubscriber(socket, in, filter, batch, resubscribeOnGap, subscribed);
      Thread.ofVirtual().name("raw-subscriber").start(s::readLoop);
      return s;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static void handshake(OutputStream out, InputStream in, String host, String key) throws IOException {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    String secKey = Base64.getEncoder().encodeToString(nonce);
    out.write(("GET /api/v1/ws HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + secKey + "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer " + key
        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the server closed the connection during the WebSocket handshake");
      }
      head.write(b);
      matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
      if (head.size() > 16 * 1024) {
        throw new IOException("handshake answer too long");
      }
    }
    String answer = head.toString(StandardCharsets.US_ASCII);
    if (!answer.startsWith("HTTP/1.1 101")) {
      throw new IOException("WebSocket upgrade refused: " + answer.lines().findFirst().orElse(answer));
    }
    String accept = accept(secKey);
    boolean accepted = answer.lines().anyMatch(l -> l.toLowerCase(java.util.Locale.ROOT).startsWith(
        "sec-websocket-accept:") && l.substring(l.indexOf(':') + 1).trim().equals(accept));
    if (!accepted) {
      throw new IOException("the server's Sec-WebSocket-Accept does not match the key sent");
    }
  }

  private static String accept(String secKey) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((secKey + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops reading after the frame in hand: the server's frames pile up in TCP buffers. */
  void pause() {
    paused = true;
  }

  void resume() {
    paused = false;
    java.util.concurrent.locks.LockSupport.unpark(reader);
  }

  /** Reads at most this many frames a second (0: as fast as they come). */
  void readAtMost(double framesPerSecond) {
    this.framesPerSecond = framesPerSecond;
  }

  /** Sends a {@code ping} frame; the answer ({@code pong}) counts with {@link #pongs()}. */
  void ping() {
    send("{\"op\":\"ping\"}");
  }

  private volatile Thread reader;

  private void readLoop() {
    reader = Thread.currentThread();
    byte[] payload = new byte[1024];
    ByteArrayOutputStream fragments = new ByteArrayOutputStream();
    try {
      while (true) {
        while (paused && !closing) {
          java.util.concurrent.locks.LockSupport.park(this);
        }
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
          throw new EOFException("socket closed");
        }
        boolean fin = (b0 & 0x80) != 0;
        int opcode = b0 & 0x0F;
        long length = b1 & 0x7F;
        if (length == 126) {
          length = (readByte() << 8) | readByte();
        } else if (length == 127) {
          length = 0;
          for (int i = 0; i < 8; i++) {
            length = (length << 8) | readByte();
          }
        }
        if ((b1 & 0x80) != 0 || length > MAX_FRAME) {
          throw new IOException("bad frame from the server (masked or " + length + " bytes)");
        }
        int len = (int) length;
        if (payload.length < len) {
          payload = new byte[Math.max(len, payload.length * 2)];
        }
        in.readNBytes(payload, 0, len);
        switch (opcode) {
          case 0x1, 0x0 -> {
            if (fin && fragments.size() == 0) {
              onMessage(payload, len);
            } else {
              fragments.write(payload, 0, len);
              if (fin) {
                byte[] whole = fragments.toByteArray();
                fragments.reset();
                onMessage(whole, whole.length);
              }
            }
          }
          case 0x8 -> {
            if (!closing) {
              sendFrame(0x8, new byte[0]);
            }
            return;
          }
          case 0x9 -> sendFrame(0xA, java.util.Arrays.copyOf(payload, len));
          default -> { }
        }
      }
    } catch (IOException e) {
      if (!closing) {
        error("socket failed: " + e);
      }
    } finally {
      closeSocket();
    }
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("socket closed mid-frame");
    }
    return b;
  }

  private void onMessage(byte[] bytes, int len) {
    message(bytes, len);
    if (framesPerSecond > 0) {
      pace();
    }
  }

  /** Reads no faster than {@link #framesPerSecond}: a client that keeps only part of the pace. */
  private void pace() {
    long now = System.nanoTime();
    long interval = (long) (1e9 / framesPerSecond);
    nextRead = Math.max(nextRead + interval, now - 1_000_000_000L);
    if (nextRead > now) {
      java.util.concurrent.locks.LockSupport.parkNanos(nextRead - now);
    }
  }

  @Override
  void send(String frame) {
    try {
      sendFrame(0x1, frame.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      error("send failed: " + e);
    }
  }

  /** One final, masked frame (clients must mask, RFC 6455 §5.3). */
  private synchronized void sendFrame(int opcode, byte[] data) throws IOException {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(data.length + 14);
    frame.write(0x80 | opcode);
    if (data.length < 126) {
      frame.write(0x80 | data.length);
    } else if (data.length < 65_536) {
      frame.write(0x80 | 126);
      frame.write(data.length >>> 8);
      frame.write(data.length & 0xFF);
    } else {
      frame.write(0x80 | 127);
      for (int i = 7; i >= 0; i--) {
        frame.write((int) ((long) data.length >>> (8 * i)) & 0xFF);
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.write(mask);
    for (int i = 0; i < data.length; i++) {
      frame.write(data[i] ^ mask[i & 3]);
    }
    out.write(frame.toByteArray());
    out.flush();
  }

  @Override
  void close() {
    closing = true;
    try {
      byte[] normal = {0x03, (byte) 0xE8};
      sendFrame(0x8, normal);
    } catch (IOException e) {
      // Closing anyway.
    }
    closeSocket();
  }

  private void closeSocket() {
    try {
      socket.close();
    } catch (IOException e) {
      // Already gone.
    }
  }
}
