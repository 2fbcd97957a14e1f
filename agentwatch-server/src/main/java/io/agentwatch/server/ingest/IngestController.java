package io.agentwatch.server.ingest;

import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.ingest.IdempotencyStore.Answer;
import io.agentwatch.core.ingest.Batch;
import io.agentwatch.core.ingest.IngestResult;
import io.agentwatch.core.ingest.Ingestor;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Problems;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/v1/events}: a JSON array or NDJSON batch, answered after every accepted event
 * is durable, with per-event results. When no event of the batch could be accepted the answer is
 * 422 (a problem carrying the same per-event {@code rejected} list), so a client mistake is
 * never a 200.
 */
@RestController
public class IngestController {

  /** At most this many bytes per request body (API.md). */
  public static final int MAX_BODY_BYTES = 10 * 1024 * 1024;
  /** How much of a too large body is read and thrown away so that its sender sees the 413. */
  private static final long SWALLOW_BYTES = 16L * 1024 * 1024;

  private final Ingestor ingestor;
  private final IdempotencyKeys idempotency;
  private final TenantRateLimits rateLimits;
  private final Lifecycle lifecycle;

  public IngestController(Ingestor ingestor, IdempotencyKeys idempotency, TenantRateLimits rateLimits,
      Lifecycle lifecycle) {
    this.ingestor = ingestor;
    this.idempotency = idempotency;
    this.rateLimits = rateLimits;
    this.lifecycle = lifecycle;
  }

  @PostMapping("/api/v1/events")
  ResponseEntity<String> ingest(Caller caller, HttpServletRequest request,
      @RequestHeader(value = "Idempotency-Key", required = false) String idempotencyKey) throws IOException {
    caller.require(Scope.INGEST);
    lifecycle.requireAccepting();
    byte[] body = readBody(request);
    boolean ndjson = isNdjson(request.getContentType());
    Answer answer = idempotencyKey == null
        ? ingest(caller, body, ndjson)
        : idempotency.answer(caller.tenant(), idempotencyKey, body, () -> ingest(caller, body, ndjson));
    return ResponseEntity.status(answer.status())
        .contentType(answer.status() == 200 ? MediaType.APPLICATION_JSON : MediaType.parseMediaType(Problems.MEDIA_TYPE))
        .body(answer.body());
  }

  private Answer ingest(Caller caller, byte[] body, boolean ndjson) {
    Batch batch = ndjson ? Batch.ofNdjson(body) : Batch.ofJson(body);
    rateLimits.acquire(caller.tenant(), batch.size());
    IngestResult result;
    try {
      result = ingestor.ingest(caller.tenant(), batch).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UnavailableException u) {
        throw u;
      }
      throw e;
    }
    if (result.accepted() == 0 && result.duplicates() == 0 && !result.rejected().isEmpty()) {
      ApiException problem = new ApiException(HttpStatus.UNPROCESSABLE_CONTENT,
          "no event of the batch was accepted: " + result.rejected().getFirst().error()
              + (result.rejected().size() > 1 ? " (and " + (result.rejected().size() - 1) + " more)" : ""));
      IngestAnswers.http(result).forEach(problem::with);
      return new Answer(422, EventCodec.JSON.writeValueAsString(Problems.body(problem)));
    }
    return new Answer(200, EventCodec.JSON.writeValueAsString(IngestAnswers.http(result)));
  }

  private static boolean isNdjson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    if (type.startsWith("application/x-ndjson") || type.startsWith("application/ndjson")
        || type.startsWith("application/jsonl") || type.startsWith("application/x-jsonlines")) {
      return true;
    }
    if (type.startsWith("application/json") || type.startsWith("text/json")) {
      return false;
    }
    throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        "Content-Type must be application/json (an array of events) or application/x-ndjson but was '"
            + contentType + "'");
  }

  /** The request body, refused with 413 beyond {@link #MAX_BODY_BYTES}. */
  public static byte[] readBody(HttpServletRequest request) throws IOException {
    return readBody(request, "a JSON array of events");
  }

  /** As {@link #readBody(HttpServletRequest)}; an empty body is refused naming {@code expected}. */
  public static byte[] readBody(HttpServletRequest request, String expected) throws IOException {
    long declared = request.getContentLengthLong();
    if (declared > MAX_BODY_BYTES) {
      if (declared <= SWALLOW_BYTES) {
        try (InputStream in = request.getInputStream()) {
          discard(in, declared);
        }
      }
      throw tooLarge();
    }
    try (InputStream in = request.getInputStream()) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      if (body.length > MAX_BODY_BYTES) {
        // Read on (without keeping it) so that a client still sending gets the 413 rather than a
        // connection reset; a body larger still is cut off with the connection.
        discard(in, SWALLOW_BYTES);
        throw tooLarge();
      }
      if (body.length == 0) {
        throw ApiException.badRequest("body is empty; send " + expected);
      }
      return body;
    }
  }

  private static void discard(InputStream in, long atMost) throws IOException {
    byte[] scratch = new byte[64 * 1024];
    long left = atMost;
    int n;
    while (left > 0 && (n = in.read(scratch, 0, (int) Math.min(scratch.length, left))) > 0) {
      left -= n;
    }
  }

  private static ApiException tooLarge() {
    return new ApiException(HttpStatus.CONTENT_TOO_LARGE,
        "body must be at most " + MAX_BODY_BYTES + " bytes; split the batch");
  }
}
