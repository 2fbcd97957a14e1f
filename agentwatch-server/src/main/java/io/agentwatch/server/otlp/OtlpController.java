package io.agentwatch.server.otlp;

import io.agentwatch.core.PipelineMetrics;
import io.agentwatch.core.auth.Scope;
import io.agentwatch.core.log.EventLog;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.server.auth.Caller;
import io.agentwatch.server.ingest.DurableAppend;
import io.agentwatch.server.ingest.IngestController;
import io.agentwatch.server.ingest.TenantRateLimits;
import io.agentwatch.server.ops.Lifecycle;
import io.agentwatch.server.web.ApiException;
import io.agentwatch.server.web.Problems;
import io.opentelemetry.proto.collector.trace.v1.ExportTracePartialSuccess;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /v1/traces}: OTLP/HTTP trace export, protobuf or JSON, optionally gzip-compressed.
 * Spans become Agentwatch events ({@link SpanMapper}); the answer is an
 * {@code ExportTraceServiceResponse} in the request's encoding, sent once the events are durable,
 * with {@code partial_success} counting the spans that could not be taken. Errors are answered
 * as OTLP asks: a {@code google.rpc.Status} in the request's encoding (in JSON also carrying the
 * RFC 9457 problem fields), 429/503 with {@code Retry-After} under pressure.
 */
@RestController
public class OtlpController {

  private static final Logger LOG = LoggerFactory.getLogger(OtlpController.class);

  /** At most this many bytes, compressed or not (the limit of every ingest body). */
  static final int MAX_BODY_BYTES = IngestController.MAX_BODY_BYTES;
  /** At most this many spans per export; the SDKs send 512 by default. */
  static final int MAX_SPANS = 10_000;

  private final DurableAppend append;
  private final Lifecycle lifecycle;
  private final Clock clock;
  private final SpanMapper mapper = new SpanMapper();

  public OtlpController(EventLog log, PipelineMetrics metrics, TenantRateLimits rateLimits, Lifecycle lifecycle,
      Clock clock) {
    this.append = new DurableAppend(log, metrics, rateLimits, lifecycle);
    this.lifecycle = lifecycle;
    this.clock = clock;
  }

  @PostMapping("/v1/traces")
  ResponseEntity<byte[]> export(Caller caller, HttpServletRequest request) throws IOException {
    caller.require(Scope.INGEST);
    lifecycle.requireAccepting();
    OtlpEncoding encoding = OtlpEncoding.of(request.getContentType());
    ExportTraceServiceRequest export = encoding.decode(body(request));
    int spans = export.getResourceSpansList().stream()
        .flatMap(rs -> rs.getScopeSpansList().stream()).mapToInt(ss -> ss.getSpansCount()).sum();
    if (spans > MAX_SPANS) {
      throw new ApiException(HttpStatus.CONTENT_TOO_LARGE,
          "an export holds at most " + MAX_SPANS + " spans but had " + spans + "; export smaller batches");
    }
    SpanMapper.Mapping mapping = mapper.map(export, clock.instant());
    append.append(caller.tenant(), mapping.events());
    ExportTraceServiceResponse.Builder response = ExportTraceServiceResponse.newBuilder();
    if (mapping.rejectedSpans() > 0) {
      response.setPartialSuccess(ExportTracePartialSuccess.newBuilder()
          .setRejectedSpans(mapping.rejectedSpans())
          .setErrorMessage(mapping.rejectedSpans() + " of " + spans + " span(s) rejected: "
              + String.join("; ", mapping.errors().subList(0, Math.min(5, mapping.errors().size())))));
    }
    return ResponseEntity.ok().contentType(encoding.mediaType()).body(encoding.encode(response.build()));
  }

  /** The body, gunzipped when {@code Content-Encoding: gzip}; at most {@link #MAX_BODY_BYTES} either way. */
  private static byte[] body(HttpServletRequest request) throws IOException {
    if (request.getContentLengthLong() > MAX_BODY_BYTES) {
      throw tooLarge();
    }
    String coding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
    boolean gzip = coding != null && coding.trim().toLowerCase(Locale.ROOT).equals("gzip");
    if (coding != null && !gzip && !coding.trim().equalsIgnoreCase("identity")) {
      throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
          "Content-Encoding must be gzip or identity but was '" + coding + "'");
    }
    try (InputStream raw = request.getInputStream()) {
      byte[] body = limited(raw);
      if (!gzip) {
        return body;
      }
      try (InputStream unzipped = new GZIPInputStream(new ByteArrayInputStream(body))) {
        return limited(unzipped);
      } catch (ZipException | EOFException e) {
        throw ApiException.badRequest("body is not valid gzip: " + e.getMessage());
      }
    }
  }

  private static byte[] limited(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    if (bytes.length > MAX_BODY_BYTES) {
      throw tooLarge();
    }
    return bytes;
  }

  private static ApiException tooLarge() {
    return new ApiException(HttpStatus.CONTENT_TOO_LARGE,
        "body must be at most " + MAX_BODY_BYTES + " bytes, also after gunzip; export smaller batches");
  }

  @ExceptionHandler(ApiException.class)
  ResponseEntity<byte[]> refused(ApiException e, HttpServletRequest request) {
    return status(e, request);
  }

  @ExceptionHandler(UnavailableException.class)
  ResponseEntity<byte[]> unavailable(UnavailableException e, HttpServletRequest request) {
    return status(Problems.unavailable(e), request);
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<byte[]> bug(Exception e, HttpServletRequest request) {
    LOG.error("unexpected failure while taking an OTLP export", e);
    return status(new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal error; it has been logged"), request);
  }

  private static ResponseEntity<byte[]> status(ApiException e, HttpServletRequest request) {
    OtlpEncoding encoding = OtlpEncoding.forAnswer(request.getContentType());
    HttpHeaders headers = Problems.headers(e);
    headers.setContentType(encoding.mediaType());
    return new ResponseEntity<>(encoding.status(e), headers, e.status());
  }
}
