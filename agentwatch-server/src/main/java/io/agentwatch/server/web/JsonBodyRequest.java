package io.agentwatch.server.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request whose body was read ahead and found to be JSON: it declares
 * {@code Content-Type: application/json}, serves the buffered bytes, and answers parameters from
 * the query string only (the container would otherwise try to read the body as a form).
 */
final class JsonBodyRequest extends HttpServletRequestWrapper {

  private static final String JSON = "application/json";

  private final byte[] body;
  private final Map<String, List<String>> parameters;

  JsonBodyRequest(HttpServletRequest request, byte[] body) {
    super(request);
    this.body = body;
    this.parameters = QueryParameters.parse(request.getQueryString());
  }

  @Override
  public String getContentType() {
    return JSON;
  }

  @Override
  public int getContentLength() {
    return body.length;
  }

  @Override
  public long getContentLengthLong() {
    return body.length;
  }

  @Override
  public String getCharacterEncoding() {
    return StandardCharsets.UTF_8.name();
  }

  @Override
  public String getHeader(String name) {
    if ("Content-Type".equalsIgnoreCase(name)) {
      return JSON;
    }
    if ("Content-Length".equalsIgnoreCase(name)) {
      return Integer.toString(body.length);
    }
    return super.getHeader(name);
  }

  @Override
  public Enumeration<String> getHeaders(String name) {
    String replaced = "Content-Type".equalsIgnoreCase(name) || "Content-Length".equalsIgnoreCase(name)
        ? getHeader(name) : null;
    return replaced != null ? Collections.enumeration(List.of(replaced)) : super.getHeaders(name);
  }

  @Override
  public Enumeration<String> getHeaderNames() {
    Set<String> names = new LinkedHashSet<>(Collections.list(super.getHeaderNames()));
    names.removeIf(n -> n.equalsIgnoreCase("Content-Type") || n.equalsIgnoreCase("Content-Length"));
    names.add("Content-Type");
    names.add("Content-Length");
    return Collections.enumeration(new ArrayList<>(names));
  }

  @Override
  public ServletInputStream getInputStream() {
    ByteArrayInputStream in = new ByteArrayInputStream(body);
    return new ServletInputStream() {
      @Override
      public int read() {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return in.read(b, off, len);
      }

      @Override
      public boolean isFinished() {
        return in.available() == 0;
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setReadListener(ReadListener listener) {
        throw new UnsupportedOperationException("the body is already buffered; read it synchronously");
      }
    };
  }

  @Override
  public BufferedReader getReader() {
    return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
  }

  @Override
  public String getParameter(String name) {
    List<String> values = parameters.get(name);
    return values == null ? null : values.getFirst();
  }

  @Override
  public Map<String, String[]> getParameterMap() {
    Map<String, String[]> map = new java.util.LinkedHashMap<>();
    parameters.forEach((k, v) -> map.put(k, v.toArray(String[]::new)));
    return Collections.unmodifiableMap(map);
  }

  @Override
  public Enumeration<String> getParameterNames() {
    return Collections.enumeration(parameters.keySet());
  }

  @Override
  public String[] getParameterValues(String name) {
    List<String> values = parameters.get(name);
    return values == null ? null : values.toArray(String[]::new);
  }
}
