package io.agentwatch.bench;

/**
 * The bench's events: {@code log} events of about 1 KB serialized, with ids a run's ledger can
 * account for ({@code <runId>.<producer>.<seq>}) and the producer's {@link System#nanoTime()} in
 * {@code data.sentNanos}, last in {@code data}, so a subscriber in the same JVM finds it without
 * parsing the whole frame.
 *
 * <p>Built by string concatenation: the client shares the machine with the server, and every
 * microsecond it spends on JSON is one the server does not get.
 */
final class Envelopes implements EventBatches {

  /** Chars of {@code data.message}; the whole event comes to about 1,050 bytes. */
  static final int MESSAGE_CHARS = 880;
  private static final String MESSAGE = message(MESSAGE_CHARS);
  private static final String SENT_NANOS = "\"sentNanos\":";

  private final String runId;

  Envelopes(String runId) {
    this.runId = runId;
  }

  String runId() {
    return runId;
  }

  /** One event; {@code ts} is an RFC 3339 instant. */
  void appendEvent(StringBuilder sb, int producer, long seq, String ts, long sentNanos) {
    appendEvent(sb, runId, producer, seq, ts, sentNanos);
  }

  /** One event with this bench run's id, in run {@code eventRunId}. */
  void appendEvent(StringBuilder sb, String eventRunId, int producer, long seq, String ts, long sentNanos) {
    sb.append("{\"id\":\"").append(runId).append('.').append(producer).append('.').append(seq)
        .append("\",\"type\":\"log\",\"agentId\":\"agent-").append(producer)
        .append("\",\"runId\":\"").append(eventRunId)
        .append("\",\"ts\":\"").append(ts)
        .append("\",\"data\":{\"level\":\"info\",\"message\":\"").append(MESSAGE)
        .append("\",").append(SENT_NANOS).append(sentNanos).append("}}");
  }

  /** A JSON array of {@code count} events with seqs {@code firstSeq..}, for {@code POST /api/v1/events}. */
  @Override
  public String array(int producer, long firstSeq, int count) {
    StringBuilder sb = new StringBuilder(count * (MESSAGE_CHARS + 200) + 2);
    appendEvents(sb.append('['), producer, firstSeq, count);
    return sb.append(']').toString();
  }

  /** A WebSocket {@code publish} frame of {@code count} events. */
  String publish(long ref, int producer, long firstSeq, int count) {
    StringBuilder sb = new StringBuilder(count * (MESSAGE_CHARS + 200) + 64);
    sb.append("{\"op\":\"publish\",\"ref\":").append(ref).append(",\"events\":[");
    appendEvents(sb, producer, firstSeq, count);
    return sb.append("]}").toString();
  }

  private void appendEvents(StringBuilder sb, int producer, long firstSeq, int count) {
    String ts = java.time.Instant.now().toString();
    long now = System.nanoTime();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        sb.append(',');
      }
      appendEvent(sb, producer, firstSeq + i, ts, now);
    }
  }

  /** Bytes of one serialized event (all ASCII), for the report. */
  int eventBytes() {
    StringBuilder sb = new StringBuilder();
    appendEvent(sb, 0, 1_000_000, "2026-11-28T16:00:00.123456Z", System.nanoTime());
    return sb.length();
  }

  /** The {@code sentNanos} of the (last) event in {@code frame}, or -1 when it has none. */
  static long sentNanos(String frame) {
    int at = frame.lastIndexOf(SENT_NANOS);
    if (at < 0) {
      return -1;
    }
    long value = 0;
    boolean negative = false;
    int i = at + SENT_NANOS.length();
    if (i < frame.length() && frame.charAt(i) == '-') {
      negative = true;
      i++;
    }
    int digits = 0;
    for (; i < frame.length(); i++) {
      char c = frame.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
      digits++;
    }
    if (digits == 0) {
      return -1;
    }
    return negative ? -value : value;
  }

  private static final byte[] SENT_NANOS_BYTES = SENT_NANOS.getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** The {@code sentNanos} of the (last) event in the first {@code len} bytes of a frame, or -1. */
  static long sentNanos(byte[] frame, int len) {
    int at = -1;
    outer:
    for (int i = len - SENT_NANOS_BYTES.length; i >= 0; i--) {
      for (int j = 0; j < SENT_NANOS_BYTES.length; j++) {
        if (frame[i + j] != SENT_NANOS_BYTES[j]) {
          continue outer;
        }
      }
      at = i + SENT_NANOS_BYTES.length;
      break;
    }
    if (at < 0) {
      return -1;
    }
    boolean negative = at < len && frame[at] == '-';
    long value = 0;
    int digits = 0;
    for (int i = negative ? at + 1 : at; i < len && frame[i] >= '0' && frame[i] <= '9'; i++) {
      value = value * 10 + (frame[i] - '0');
      digits++;
    }
    if (digits == 0) {
      return -1;
    }
    return negative ? -value : value;
  }

  /** Where the next {@code sentNanos} value starts in {@code bytes[from, to)}, or -1. */
  static int nextSentNanos(byte[] bytes, int from, int to) {
    int at = SubscriberState.indexOf(bytes, SENT_NANOS_BYTES, from, to);
    return at < 0 ? -1 : at + SENT_NANOS_BYTES.length;
  }

  /** The decimal number at {@code at}, or -1 when there is none. */
  static long number(byte[] bytes, int at, int to) {
    boolean negative = at < to && bytes[at] == '-';
    long value = 0;
    int digits = 0;
    for (int i = negative ? at + 1 : at; i < to && bytes[i] >= '0' && bytes[i] <= '9'; i++) {
      value = value * 10 + (bytes[i] - '0');
      digits++;
    }
    return digits == 0 ? -1 : negative ? -value : value;
  }

  private static String message(int chars) {
    String words = "the manager agent delegated the summary of chapter seven to worker three, which called the search "
        + "tool twice and the language model once before reporting its progress back; ";
    StringBuilder sb = new StringBuilder(chars + words.length());
    while (sb.length() < chars) {
      sb.append(words);
    }
    return sb.substring(0, chars);
  }
}
