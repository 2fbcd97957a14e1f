package io.agentwatch.server.webhook;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One webhook's lane: its own circuit breaker and the deliveries it has in flight, so that a slow
 * or dead endpoint uses up only its own few slots and its own failures.
 */
final class Endpoint {

  private final CircuitBreaker circuit;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();

  Endpoint(CircuitBreaker circuit) {
    this.circuit = circuit;
  }

  CircuitBreaker circuit() {
    return circuit;
  }

  int inFlight() {
    return inFlight.size();
  }

  /** Takes a delivery on; false when it is in flight already. */
  boolean claim(String deliveryId) {
    return inFlight.add(deliveryId);
  }

  void release(String deliveryId) {
    inFlight.remove(deliveryId);
  }

  boolean isOpen() {
    return circuit.getState() == CircuitBreaker.State.OPEN;
  }
}
