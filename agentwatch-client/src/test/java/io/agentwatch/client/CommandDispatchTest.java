package io.agentwatch.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.model.EventCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class CommandDispatchTest {

  private final List<EventDraft> emitted = new ArrayList<>();

  private Emission capture(EventDraft draft) {
    emitted.add(draft);
    return new Emission(draft.id(), Emission.Status.BUFFERED, new CompletableFuture<>());
  }

  private static JsonNode command(Map<String, ?> fields) {
    return EventCodec.JSON.valueToTree(fields);
  }

  @Test
  void aCommandSeenAgainIsNotAppliedTwiceButAcknowledgedAgainUnderTheSameId() {
    AtomicInteger applied = new AtomicInteger();
    CommandDispatch dispatch = new CommandDispatch(c -> {
      applied.incrementAndGet();
      return CommandOutcome.done();
    }, this::capture);

    dispatch.run(command(Map.of("id", "c-7", "type", "cancel", "taskId", "t1")));
    dispatch.run(command(Map.of("id", "c-7", "type", "cancel", "taskId", "t1")));

    assertThat(applied).hasValue(1);
    assertThat(emitted).hasSize(2);
    assertThat(emitted.get(0).id()).isEqualTo("ack.c-7").isEqualTo(emitted.get(1).id());
    assertThat(emitted.get(0).parentId()).isEqualTo("c-7");
  }

  @Test
  void aHandlerThatThrowsRejectsTheCommandWithItsMessage() {
    CommandDispatch dispatch = new CommandDispatch(c -> {
      throw new IllegalStateException("no task is running");
    }, this::capture);
    dispatch.run(command(Map.of("id", "c-1", "type", "cancel")));
    assertThat(emitted.get(0).dataFields()).containsEntry("outcome", "rejected")
        .containsEntry("reason", "no task is running");
  }

  @Test
  void withoutAHandlerEveryCommandIsRejected() {
    new CommandDispatch(null, this::capture).run(command(Map.of("id", "c-1", "type", "pause")));
    assertThat(emitted.get(0).dataFields()).containsEntry("outcome", "rejected")
        .containsEntry("commandId", "c-1").containsEntry("type", "pause");
  }

  @Test
  void aCommandWithoutIdOrTypeIsIgnoredAndAnOddIdIsKeptOnlyInTheData() {
    CommandDispatch dispatch = new CommandDispatch(c -> CommandOutcome.done(), this::capture);
    assertThat(dispatch.run(command(Map.of("type", "pause")))).isNull();
    assertThat(dispatch.run(command(Map.of("id", 5, "type", "pause")))).isNull();
    dispatch.run(command(Map.of("id", "has space", "type", "pause")));
    assertThat(emitted).hasSize(1);
    assertThat(emitted.get(0).parentId()).isNull();
    assertThat(emitted.get(0).id()).isNull();
    assertThat(emitted.get(0).dataFields()).containsEntry("commandId", "has space");
  }
}
