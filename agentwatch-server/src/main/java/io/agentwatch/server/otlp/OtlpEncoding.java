package io.agentwatch.server.otlp;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.agentwatch.model.EventCodec;
import io.agentwatch.server.web.ApiException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The two OTLP/HTTP encodings: binary protobuf and OTLP/JSON. Answers (and errors) go out in the
 * encoding of the request, as the OTLP specification asks.
 *
 * <p>OTLP/JSON is the protobuf JSON mapping with two differences this class takes care of: trace
 * and span ids are hex strings, not base64, and unknown fields are ignored. Enum values may be
 * numbers or names, 64-bit integers numbers or decimal strings, field names lowerCamelCase or the
 * original snake_case — {@link JsonFormat} accepts all of these.
 */
enum OtlpEncoding {

  PROTOBUF(MediaType.parseMediaType("application/x-protobuf")) {
    @Override
    ExportTraceServiceRequest decode(byte[] body) {
      try {
        return ExportTraceServiceRequest.parseFrom(body);
      } catch (InvalidProtocolBufferException e) {
        throw ApiException.badRequest("body is not a protobuf ExportTraceServiceRequest: " + e.getMessage());
      }
    }

    @Override
    byte[] encode(ExportTraceServiceResponse response) {
      return response.toByteArray();
    }

    @Override
    byte[] status(ApiException e) {
      // google.rpc.Status { int32 code = 1; string message = 2; }: two fields, written directly
      // rather than pulling in the common-protos library for one message.
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      try {
        out.writeInt32(1, rpcCode(e.status()));
        out.writeString(2, e.getMessage());
        out.flush();
      } catch (IOException impossible) {
        throw new UncheckedIOException(impossible);
      }
      return bytes.toByteArray();
    }
  },

  JSON(MediaType.APPLICATION_JSON) {
    @Override
    ExportTraceServiceRequest decode(byte[] body) {
      JsonNode tree;
      try {
        tree = EventCodec.JSON.readTree(body);
      } catch (JacksonException e) {
        throw ApiException.badRequest("body is not valid JSON: " + e.getOriginalMessage());
      }
      if (tree == null || !tree.isObject()) {
        throw ApiException.badRequest("body must be an OTLP/JSON ExportTraceServiceRequest object");
      }
      hexIdsToBase64(tree, "");
      ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
      try {
        PARSER.merge(EventCodec.JSON.writeValueAsString(tree), request);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        throw ApiException.badRequest("body is not an OTLP/JSON ExportTraceServiceRequest: " + e.getMessage());
      }
      return request.build();
    }

    @Override
    byte[] encode(ExportTraceServiceResponse response) {
      try {
        return PRINTER.print(response).getBytes(StandardCharsets.UTF_8);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("cannot print an OTLP response", e);
      }
    }

    /** A google.rpc.Status in JSON that is also an RFC 9457 problem: both readers find their fields. */
    @Override
    byte[] status(ApiException e) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("code", rpcCode(e.status()));
      body.put("message", e.getMessage());
      body.put("type", "about:blank");
      body.put("title", e.status().getReasonPhrase());
      body.put("status", e.status().value());
      body.put("detail", e.getMessage());
      body.putAll(e.properties());
      return EventCodec.JSON.writeValueAsBytes(body);
    }
  };

  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final Set<String> ID_FIELDS =
      Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id");
  private static final HexFormat HEX = HexFormat.of();

  private final MediaType mediaType;

  OtlpEncoding(MediaType mediaType) {
    this.mediaType = mediaType;
  }

  MediaType mediaType() {
    return mediaType;
  }

  /** @throws ApiException 400 when the body is not a request in this encoding */
  abstract ExportTraceServiceRequest decode(byte[] body);

  abstract byte[] encode(ExportTraceServiceResponse response);

  /** The body of an error answer: a google.rpc.Status carrying the problem's detail. */
  abstract byte[] status(ApiException e);

  /**
   * The encoding a request's {@code Content-Type} names.
   *
   * @throws ApiException 415 for anything but protobuf or JSON
   */
  static OtlpEncoding of(String contentType) {
    if (contentType != null) {
      String type = contentType.toLowerCase(Locale.ROOT).split(";", 2)[0].trim();
      if (type.equals("application/x-protobuf") || type.equals("application/protobuf")) {
        return PROTOBUF;
      }
      if (type.equals("application/json")) {
        return JSON;
      }
    }
    throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        "Content-Type must be application/x-protobuf or application/json (OTLP/HTTP) but was "
            + (contentType == null ? "absent" : "'" + contentType + "'"));
  }

  /** The encoding to answer in when the request's own may be unusable: JSON unless it asked for protobuf. */
  static OtlpEncoding forAnswer(String contentType) {
    try {
      return of(contentType);
    } catch (ApiException e) {
      return JSON;
    }
  }

  /** The gRPC status code closest to an HTTP status, as the OTLP/HTTP error body carries it. */
  static int rpcCode(HttpStatus status) {
    return switch (status) {
      case BAD_REQUEST, UNSUPPORTED_MEDIA_TYPE -> 3; // INVALID_ARGUMENT
      case UNAUTHORIZED -> 16; // UNAUTHENTICATED
      case FORBIDDEN -> 7; // PERMISSION_DENIED
      case NOT_FOUND -> 5; // NOT_FOUND
      case TOO_MANY_REQUESTS, CONTENT_TOO_LARGE -> 8; // RESOURCE_EXHAUSTED
      case SERVICE_UNAVAILABLE -> 14; // UNAVAILABLE
      default -> status.is4xxClientError() ? 9 : 13; // FAILED_PRECONDITION : INTERNAL
    };
  }

  /** Rewrites every hex trace/span id of an OTLP/JSON tree into the base64 the JSON mapping expects. */
  private static void hexIdsToBase64(JsonNode node, String path) {
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      for (String name : object.propertyNames().stream().toList()) {
        JsonNode value = object.get(name);
        if (ID_FIELDS.contains(name) && value.isString()) {
          object.put(name, base64(path + name, value.stringValue()));
        } else {
          hexIdsToBase64(value, path + name + ".");
        }
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        hexIdsToBase64(node.get(i), path.isEmpty() ? "[" + i + "]." : path.substring(0, path.length() - 1) + "["
            + i + "].");
      }
    }
  }

  private static String base64(String path, String hex) {
    try {
      return Base64.getEncoder().encodeToString(HEX.parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(path + " must be a hex string (OTLP/JSON ids are hex, not base64) but was '"
          + (hex.length() > 80 ? hex.substring(0, 80) + "…" : hex) + "'");
    }
  }
}
