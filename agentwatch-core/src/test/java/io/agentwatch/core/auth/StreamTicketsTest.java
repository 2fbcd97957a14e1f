package io.agentwatch.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentwatch.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StreamTicketsTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-28T16:00:00Z"));
  private final StreamTickets tickets = new StreamTickets(clock);

  @Test
  void aTicketNamesItsKeyOnceAndThenIsUsedUp() {
    StreamTickets.Ticket ticket = tickets.issue("key-1");

    assertThat(ticket.token()).startsWith("awt_").hasSize(4 + 43);
    assertThat(StreamTickets.looksLikeTicket(ticket.token())).isTrue();
    assertThat(ticket.expiresAt()).isEqualTo(clock.instant().plus(StreamTickets.LIFETIME));
    assertThat(tickets.redeem(ticket.token())).contains("key-1");
    assertThat(tickets.redeem(ticket.token())).isEmpty();
  }

  @Test
  void anExpiredTicketIsRefused() {
    StreamTickets.Ticket ticket = tickets.issue("key-1");
    clock.advance(StreamTickets.LIFETIME.plus(Duration.ofMillis(1)));

    assertThat(tickets.redeem(ticket.token())).isEmpty();
  }

  @Test
  void aTicketIssuedThroughOneNodeRedeemsOnAnotherSharingTheStoreWhichNeverSeesTheToken() {
    InMemoryTicketStore shared = new InMemoryTicketStore(clock);
    StreamTickets.Ticket ticket = new StreamTickets(clock, shared).issue("key-1");

    assertThat(shared.take(ticket.token())).as("kept by its digest only").isEmpty();
    assertThat(new StreamTickets(clock, shared).redeem(ticket.token())).contains("key-1");
  }

  @Test
  void unknownOrMissingTicketsAreRefused() {
    assertThat(tickets.redeem("awt_nothing-issued")).isEmpty();
    assertThat(tickets.redeem(null)).isEmpty();
    assertThat(StreamTickets.looksLikeTicket("aw_abc")).isFalse();
  }
}
