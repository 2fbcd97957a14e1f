package io.agentwatch.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Many subscribers read by a couple of selector threads instead of a thread each: the load
 * generator of the fan-out scenarios, where a thousand sockets receive hundreds of thousands of
 * frames a second and a blocked thread per socket would cost the shared CPU more than the server's
 * sending. Each connection is opened and upgraded (WebSocket) or requested (SSE) with blocking
 * I/O, then switched to non-blocking and read by one of the selectors, which parses frames
 * (RFC 6455, fragments included) or the chunked event stream straight from the read buffer.
 */
final class NioSubscribers implements AutoCloseable {

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /** Turns a connection's bytes into messages for its {@link SubscriberState}. */
  private interface Parser {
    /** Consumes what complete units {@code in} holds (flipped for reading); leaves the rest. */
    void parse(ByteBuffer in) throws IOException;
  }

  /** One connection: its channel, read buffer, parser and counts. */
  private static final class Connection extends SubscriberState {
    final SocketChannel channel;
    ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    Parser parser;

    Connection(SocketChannel channel, String filter, boolean batch) {
      super(filter, batch, false, null);
      this.channel = channel;
    }

    @Override
    void send(String frame) {
      try {
        writeMasked(channel, 0x1, frame.getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        error("send failed: " + e);
      }
    }

    @Override
    void close() {
      try {
        channel.close();
      } catch (IOException e) {
        // Already gone.
      }
    }
  }

  private final List<Reader> readers = new ArrayList<>();

  NioSubscribers(int selectorThreads) throws IOException {
    for (int i = 0; i < selectorThreads; i++) {
      Reader reader = new Reader();
      readers.add(reader);
      Thread.ofPlatform().name("nio-subscribers-" + i).daemon(true).start(reader);
    }
  }

  /** A WebSocket subscriber to {@code filter} (JSON), upgraded and handed to a selector. */
  SubscriberState webSocket(URI base, String key, String filter, boolean batch) throws IOException {
    SocketChannel channel = connect(base);
    String secKey = Base64.getEncoder().encodeToString(nonce());
    writeAll(channel, ("GET /api/v1/ws HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
        + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + secKey
        + "\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer " + key + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    Connection c = new Connection(channel, filter, batch);
    String head = readHead(channel, c.in);
    if (!head.startsWith("HTTP/1.1 101") || !head.contains(accept(secKey))) {
      channel.close();
      throw new IOException("WebSocket upgrade refused: " + head.lines().findFirst().orElse(head));
    }
    c.parser = new FrameParser(c);
    register(c);
    return c;
  }

  /** An SSE subscriber of {@code pathAndQuery}, requested and handed to a selector. */
  SubscriberState sse(URI base, String key, String pathAndQuery) throws IOException {
    SocketChannel channel = connect(base);
    writeAll(channel, ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
        + "\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + key + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    Connection c = new Connection(channel, "{}", false);
    String head = readHead(channel, c.in);
    if (!head.startsWith("HTTP/1.1 200")) {
      channel.close();
      throw new IOException("stream refused: " + head.lines().findFirst().orElse(head));
    }
    c.parser = new SseParser(c, head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked"));
    c.control("{\"op\":\"subscribed\"}");
    register(c);
    return c;
  }

  private void register(Connection c) throws IOException {
    c.channel.configureBlocking(false);
    Reader reader = readers.get(Math.floorMod(c.hashCode(), readers.size()));
    reader.pending.add(c);
    reader.selector.wakeup();
  }

  private static SocketChannel connect(URI base) throws IOException {
    SocketChannel channel = SocketChannel.open();
    channel.socket().setTcpNoDelay(true);
    channel.socket().connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
    return channel;
  }

  /** Reads the response head (blocking) into a string; what follows it stays in {@code in}, flipped. */
  private static String readHead(SocketChannel channel, ByteBuffer in) throws IOException {
    channel.socket().setSoTimeout(15_000);
    while (true) {
      if (channel.read(in) < 0) {
        throw new IOException("the server closed the connection during the request");
      }
      byte[] bytes = in.array();
      for (int i = 3; i < in.position(); i++) {
        if (bytes[i - 3] == '\r' && bytes[i - 2] == '\n' && bytes[i - 1] == '\r' && bytes[i] == '\n') {
          String head = new String(bytes, 0, i + 1, StandardCharsets.ISO_8859_1);
          in.flip();
          in.position(i + 1);
          in.compact();
          return head;
        }
      }
      if (!in.hasRemaining()) {
        throw new IOException("response head too long");
      }
    }
  }

  /** A selector thread: reads every ready connection and parses what it got. */
  private static final class Reader implements Runnable {
    final Selector selector;
    final ConcurrentLinkedQueue<Connection> pending = new ConcurrentLinkedQueue<>();

    Reader() throws IOException {
      this.selector = Selector.open();
    }

    @Override
    public void run() {
      try {
        while (selector.isOpen()) {
          selector.select(100);
          Connection added;
          while ((added = pending.poll()) != null) {
            added.channel.register(selector, SelectionKey.OP_READ, added);
            // Bytes that came with the response head are parsed now.
            read(added, false);
          }
          for (SelectionKey key : selector.selectedKeys()) {
            if (key.isValid() && key.isReadable()) {
              read((Connection) key.attachment(), true);
            }
          }
          selector.selectedKeys().clear();
        }
      } catch (IOException | RuntimeException e) {
        // The crowd is closing.
      }
    }

    private static void read(Connection c, boolean fromChannel) {
      try {
        if (fromChannel) {
          int n = c.channel.read(c.in);
          if (n < 0) {
            c.channel.close();
            return;
          }
        }
        c.in.flip();
        c.parser.parse(c.in);
        c.in.compact();
        if (!c.in.hasRemaining()) {
          // A message larger than the buffer: grow it.
          ByteBuffer bigger = ByteBuffer.allocate(c.in.capacity() * 2);
          c.in.flip();
          bigger.put(c.in);
          c.in = bigger;
        }
      } catch (IOException e) {
        c.error("read failed: " + e);
        c.close();
      }
    }
  }

  /** RFC 6455 frames from the server (never masked); text messages go to the state. */
  private static final class FrameParser implements Parser {
    private final Connection c;
    private final ByteArrayOutputStream fragments = new ByteArrayOutputStream();

    FrameParser(Connection c) {
      this.c = c;
    }

    @Override
    public void parse(ByteBuffer in) throws IOException {
      byte[] a = in.array();
      while (in.remaining() >= 2) {
        int at = in.position();
        int b0 = a[at] & 0xFF;
        int b1 = a[at + 1] & 0xFF;
        int header = 2;
        long length = b1 & 0x7F;
        if (length == 126) {
          if (in.remaining() < 4) {
            return;
          }
          length = ((a[at + 2] & 0xFF) << 8) | (a[at + 3] & 0xFF);
          header = 4;
        } else if (length == 127) {
          if (in.remaining() < 10) {
            return;
          }
          length = 0;
          for (int i = 0; i < 8; i++) {
            length = (length << 8) | (a[at + 2 + i] & 0xFF);
          }
          header = 10;
        }
        if ((b1 & 0x80) != 0 || length > 64L * 1024 * 1024) {
          throw new IOException("bad frame from the server (masked or " + length + " bytes)");
        }
        if (in.remaining() < header + length) {
          return;
        }
        int from = at + header;
        int to = from + (int) length;
        in.position(to);
        boolean fin = (b0 & 0x80) != 0;
        switch (b0 & 0x0F) {
          case 0x1, 0x0 -> {
            if (fin && fragments.size() == 0) {
              c.message(a, from, to);
            } else {
              fragments.write(a, from, to - from);
              if (fin) {
                byte[] whole = fragments.toByteArray();
                fragments.reset();
                c.message(whole, 0, whole.length);
              }
            }
          }
          case 0x9 -> writeMasked(c.channel, 0xA, java.util.Arrays.copyOfRange(a, from, to));
          case 0x8 -> c.channel.close();
          default -> { }
        }
      }
    }
  }

  /** An event stream, chunked or not: lines, blank lines ending messages, as RawSseSubscriber reads them. */
  private static final class SseParser implements Parser {
    private final Connection c;
    private final boolean chunked;
    private long chunkLeft;
    private boolean expectChunkEnd;
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean gapMessage;

    SseParser(Connection c, boolean chunked) {
      this.c = c;
      this.chunked = chunked;
      this.chunkLeft = chunked ? 0 : Long.MAX_VALUE;
    }

    @Override
    public void parse(ByteBuffer in) throws IOException {
      byte[] a = in.array();
      while (in.hasRemaining()) {
        if (chunked && chunkLeft == 0) {
          int at = in.position();
          int end = -1;
          for (int i = at; i < in.limit(); i++) {
            if (a[i] == '\n') {
              end = i;
              break;
            }
          }
          if (end < 0) {
            return;
          }
          String sizeLine = new String(a, at, end - at, StandardCharsets.US_ASCII).trim();
          in.position(end + 1);
          if (expectChunkEnd) {
            // The CRLF after the previous chunk's data.
            expectChunkEnd = false;
            continue;
          }
          chunkLeft = Long.parseLong(sizeLine.split(";")[0], 16);
          if (chunkLeft == 0) {
            c.channel.close();
            return;
          }
          continue;
        }
        int n = (int) Math.min(chunkLeft, in.remaining());
        scan(a, in.position(), in.position() + n);
        in.position(in.position() + n);
        chunkLeft -= n;
        if (chunked && chunkLeft == 0) {
          expectChunkEnd = true;
        }
      }
    }

    private void scan(byte[] a, int from, int to) {
      int start = from;
      for (int i = from; i < to; i++) {
        if (a[i] == '\n') {
          append(a, start, i);
          line(line, lineLength);
          lineLength = 0;
          start = i + 1;
        }
      }
      append(a, start, to);
    }

    private void append(byte[] a, int from, int to) {
      int len = to - from;
      if (lineLength + len > line.length) {
        line = java.util.Arrays.copyOf(line, Math.max(line.length * 2, lineLength + len));
      }
      System.arraycopy(a, from, line, lineLength, len);
      lineLength += len;
    }

    private void line(byte[] bytes, int length) {
      int len = length > 0 && bytes[length - 1] == '\r' ? length - 1 : length;
      if (len == 0) {
        gapMessage = false;
      } else if (bytes[0] == ':') {
        return;
      } else if (startsWith(bytes, len, "event: gap")) {
        gapMessage = true;
      } else if (startsWith(bytes, len, "data: ")) {
        if (gapMessage) {
          c.control("{\"op\":\"gap\"}");
        } else {
          c.events(bytes, 6, len);
        }
      }
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
  }

  /** One final, masked frame (clients must mask, RFC 6455 §5.3). */
  private static void writeMasked(SocketChannel channel, int opcode, byte[] data) throws IOException {
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
    byte[] mask = nonce();
    frame.write(mask, 0, 4);
    for (int i = 0; i < data.length; i++) {
      frame.write(data[i] ^ mask[i & 3]);
    }
    writeAll(channel, frame.toByteArray());
  }

  /** Writes every byte, also on a non-blocking channel (the frames a subscriber sends are small). */
  private static void writeAll(SocketChannel channel, byte[] bytes) throws IOException {
    ByteBuffer out = ByteBuffer.wrap(bytes);
    synchronized (channel) {
      while (out.hasRemaining()) {
        if (channel.write(out) == 0) {
          Thread.onSpinWait();
        }
      }
    }
  }

  private static byte[] nonce() {
    byte[] n = new byte[16];
    ThreadLocalRandom.current().nextBytes(n);
    return n;
  }

  private static String accept(String secKey) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((secKey + GUID).getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (Reader reader : readers) {
      try {
        for (SelectionKey key : reader.selector.keys()) {
          key.channel().close();
        }
        reader.selector.close();
      } catch (IOException e) {
        // Closing anyway.
      }
    }
  }
}
