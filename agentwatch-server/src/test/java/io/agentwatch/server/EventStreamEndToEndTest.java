package io.agentwatch.server;

import static io.agentwatch.server.TestServer.ADMIN_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.client.EventStream;
import io.agentwatch.client.EventStream.StreamedEvent;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK's {@link EventStream} against the real server: it replays from a cursor and goes live
 * with batched frames, each handed over whole, and across a server restart it resumes from its
 * cursor so that every event arrives exactly once and in order.
 */
class EventStreamEndToEndTest {

  @TempDir
  Path data;

  private static void ingest(TestServer server, String prefix, int from, int to) {
    HttpResponse<String> r = server.post("/api/v1/events", ADMIN_KEY, "application/json", Envelopes.array(
        IntStream.range(from, to).mapToObj(i -> Envelopes.log(prefix + "-" + i, "streamer", "stream-run")).toList()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private static void awaitSize(List<?> list, int size) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (list.size() < size && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(list).hasSize(size);
  }

  @Test
  void aStreamReplaysGoesLiveAndResumesAcrossARestartWithEveryEventOnce() throws Exception {
    TestServer server = TestServer.start(data);
    int port = server.port();
    List<StreamedEvent> got = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger frames = new AtomicInteger();
    List<String> interruptions = Collections.synchronizedList(new ArrayList<>());
    ingest(server, "e", 0, 500);
    try (EventStream stream = EventStream.builder("http://127.0.0.1:" + port).apiKey(ADMIN_KEY).runId("stream-run")
        .backoff(java.time.Duration.ofMillis(100), java.time.Duration.ofMillis(500))
        .listener(new EventStream.Listener() {
          @Override
          public void onEvents(List<StreamedEvent> events) {
            frames.incrementAndGet();
            got.addAll(events);
          }

          @Override
          public void onInterrupted(String why) {
            interruptions.add(why);
          }
        })
        .after(server.bean(io.agentwatch.core.log.EventLog.class).beginning().toString()).start()) {
      awaitSize(got, 500);
      assertThat(frames.get()).as("replayed events come many to a frame").isLessThan(100);
      ingest(server, "e", 500, 600);
      awaitSize(got, 600);
      assertThat(stream.cursor()).isEqualTo(got.getLast().cursor());

      server.close();
      server = TestServer.startOnPort(port, data);
      ingest(server, "e", 600, 700);
      awaitSize(got, 700);
      assertThat(interruptions).isNotEmpty();
    } finally {
      server.close();
    }
    assertThat(got).extracting(StreamedEvent::id)
        .containsExactlyElementsOf(IntStream.range(0, 700).mapToObj(i -> "e-" + i).toList());
    assertThat(got).extracting(StreamedEvent::type).containsOnly("log");
    assertThat(got.getFirst().data().get("message").stringValue()).isEqualTo("line e-0");
  }

  @Test
  void aStreamWithABadKeyIsRefusedAndStops() throws Exception {
    TestServer server = TestServer.start(data);
    try {
      List<String> refused = Collections.synchronizedList(new ArrayList<>());
      try (EventStream stream = EventStream.builder("http://127.0.0.1:" + server.port()).apiKey("aw_wrong")
          .listener(new EventStream.Listener() {
            @Override
            public void onEvents(List<StreamedEvent> events) {}

            @Override
            public void onRefused(String why) {
              refused.add(why);
            }
          }).start()) {
        awaitSize(refused, 1);
        assertThat(refused.getFirst()).contains("401");
        assertThat(stream.cursor()).isNull();
      }
    } finally {
      server.close();
    }
  }
}
