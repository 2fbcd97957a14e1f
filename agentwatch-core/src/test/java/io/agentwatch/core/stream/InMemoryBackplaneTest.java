package io.agentwatch.core.stream;

import java.util.HashMap;
import java.util.Map;

class InMemoryBackplaneTest extends BackplaneContract {

  private final Map<String, InMemoryBackplane> channels = new HashMap<>();

  @Override
  protected Backplane newMember(String channel) {
    InMemoryBackplane first = channels.get(channel);
    if (first == null) {
      first = new InMemoryBackplane();
      channels.put(channel, first);
      return first;
    }
    return first.join();
  }
}
