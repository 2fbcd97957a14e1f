package io.agentwatch.server.web;

import io.agentwatch.core.ingest.MalformedBodyException;
import io.agentwatch.core.ingest.TooLargeException;
import io.agentwatch.core.log.StaleCursorException;
import io.agentwatch.core.log.UnavailableException;
import io.agentwatch.model.MalformedCursorException;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place where exceptions become HTTP answers: client mistakes get a 4xx problem,
 * overload 429/503 with {@code Retry-After}, and only our own bugs a 500 (logged once, with
 * context). Spring MVC's own exceptions (unknown path, wrong method, bad parameter type) are
 * turned into problems by the base class.
 */
@RestControllerAdvice
public class ProblemAdvice extends ResponseEntityExceptionHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ProblemAdvice.class);

  @ExceptionHandler(ApiException.class)
  ResponseEntity<Map<String, Object>> api(ApiException e) {
    return answer(e);
  }

  @ExceptionHandler(MalformedBodyException.class)
  ResponseEntity<Map<String, Object>> malformedBody(MalformedBodyException e) {
    return answer(ApiException.badRequest(e.getMessage()));
  }

  @ExceptionHandler(TooLargeException.class)
  ResponseEntity<Map<String, Object>> tooLarge(TooLargeException e) {
    return answer(new ApiException(HttpStatus.CONTENT_TOO_LARGE, e.getMessage()));
  }

  @ExceptionHandler(MalformedCursorException.class)
  ResponseEntity<Map<String, Object>> malformedCursor(MalformedCursorException e) {
    return answer(ApiException.badRequest(e.getMessage()));
  }

  /** History from a cursor of another store: that position is gone; start again from the head. */
  @ExceptionHandler(StaleCursorException.class)
  ResponseEntity<Map<String, Object>> staleCursor(StaleCursorException e) {
    return answer(new ApiException(HttpStatus.GONE, e.getMessage()).with("resumeFrom", e.head().toString()));
  }

  @ExceptionHandler(UnavailableException.class)
  ResponseEntity<Map<String, Object>> unavailable(UnavailableException e) {
    return answer(Problems.unavailable(e));
  }

  /** A failure that surfaced through a joined future answers as the failure itself would. */
  @ExceptionHandler(CompletionException.class)
  ResponseEntity<Map<String, Object>> completion(CompletionException e) {
    return switch (e.getCause()) {
      case ApiException api -> answer(api);
      case UnavailableException unavailable -> unavailable(unavailable);
      case null, default -> bug(e);
    };
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Map<String, Object>> bug(Exception e) {
    LOG.error("unexpected failure while serving a request", e);
    return answer(new ApiException(HttpStatus.INTERNAL_SERVER_ERROR, "internal error; it has been logged"));
  }

  static ResponseEntity<Map<String, Object>> answer(ApiException e) {
    return new ResponseEntity<>(Problems.body(e), Problems.headers(e), e.status());
  }
}
