package io.agentwatch.model;

/**
 * One thing wrong with an input, located by a field path such as {@code data.taskId} or
 * {@code [3].ts}.
 *
 * @param path   where the problem is, in dotted form; empty for the whole input
 * @param reason what is wrong, phrased to follow the path ("is required", "must be ...")
 */
public record Problem(String path, String reason) {

  /** {@code "data.taskId is required"}. */
  public String message() {
    return path.isEmpty() ? reason : path + " " + reason;
  }

  /** The same problem located under a prefix, e.g. {@code events[3]}. */
  public Problem under(String prefix) {
    if (path.isEmpty()) {
      return new Problem(prefix, reason);
    }
    return new Problem(path.startsWith("[") ? prefix + path : prefix + "." + path, reason);
  }

  @Override
  public String toString() {
    return message();
  }
}
