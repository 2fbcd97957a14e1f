package io.agentwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.model.Event;
import io.agentwatch.model.EventCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class EnvelopesTest {

  private final Envelopes envelopes = new Envelopes("bench-20261128-160000-http");

  @Test
  void eachEventIsAValidLogEventOfAboutOneKilobyte() {
    JsonNode batch = EventCodec.JSON.readTree(envelopes.array(3, 41, 2));

    assertThat(batch.size()).isEqualTo(2);
    Event second = EventCodec.decode(batch.get(1));
    assertThat(second.id()).isEqualTo("bench-20261128-160000-http.3.42");
    assertThat(second.type()).isEqualTo("log");
    assertThat(second.runId()).isEqualTo("bench-20261128-160000-http");
    assertThat(EventCodec.JSON.writeValueAsString(batch.get(1)).length()).isBetween(1000, 1200);
    assertThat(envelopes.eventBytes()).isBetween(1000, 1200);
  }

  @Test
  void aPublishFrameCarriesItsRefAndEvents() {
    JsonNode frame = EventCodec.JSON.readTree(envelopes.publish(7, 0, 0, 3));

    assertThat(frame.get("op").stringValue()).isEqualTo("publish");
    assertThat(frame.get("ref").asLong()).isEqualTo(7);
    assertThat(frame.get("events").size()).isEqualTo(3);
  }

  @Test
  void sentNanosIsFoundInADeliveredFrameAsTextAndAsBytes() {
    StringBuilder event = new StringBuilder();
    envelopes.appendEvent(event, 1, 2, "2026-11-28T16:00:00Z", -123_456_789_012L);
    String frame = "{\"op\":\"event\",\"sub\":\"s0\",\"cursor\":\"c\",\"event\":"
        + event.substring(0, event.length() - 1) + ",\"tenant\":\"default\",\"receivedAt\":\"2026-11-28T16:00:01Z\"}}";
    byte[] bytes = (frame + "garbage after the frame").getBytes(StandardCharsets.UTF_8);

    assertThat(Envelopes.sentNanos(frame)).isEqualTo(-123_456_789_012L);
    assertThat(Envelopes.sentNanos(bytes, frame.length())).isEqualTo(-123_456_789_012L);
    assertThat(Envelopes.sentNanos("{\"op\":\"event\"}")).isEqualTo(-1);
  }
}
