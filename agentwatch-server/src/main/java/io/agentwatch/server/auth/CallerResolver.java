package io.agentwatch.server.auth;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/** Lets handlers take the authenticated {@link Caller} as a parameter. */
public final class CallerResolver implements HandlerMethodArgumentResolver {

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    return parameter.getParameterType() == Caller.class;
  }

  @Override
  public Caller resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest request,
      WebDataBinderFactory binderFactory) {
    return from(request.getNativeRequest(HttpServletRequest.class));
  }

  /** The caller the filter authenticated; fails loudly if the filter did not run. */
  public static Caller from(HttpServletRequest request) {
    Object caller = request == null ? null : request.getAttribute(Caller.ATTRIBUTE);
    if (caller == null) {
      throw new IllegalStateException("no authenticated caller: ApiKeyFilter did not run for this path");
    }
    return (Caller) caller;
  }
}
