package io.agentwatch.bench;

/**
 * What one ingest phase measured.
 *
 * @param events     events acknowledged as durable (accepted or duplicate)
 * @param seconds    from the first send to the last ack
 * @param requests   requests or publishes answered
 * @param errors     requests that failed (non-200, error frame, I/O), with the first one's reason
 * @param targetRate events/s the producers were paced to, 0 when unpaced
 * @param ackLatency per request, send to durable ack
 */
record PhaseResult(String name, String runId, long events, double seconds, long requests, long errors,
                   String firstError, double targetRate, Latency ackLatency, CpuMeter.Share cpu) {

  double eventsPerSecond() {
    return seconds > 0 ? events / seconds : 0;
  }
}
