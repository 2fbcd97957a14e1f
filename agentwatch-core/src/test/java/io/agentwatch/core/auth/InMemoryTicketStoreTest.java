package io.agentwatch.core.auth;

import java.time.Clock;

class InMemoryTicketStoreTest extends TicketStoreContract {

  @Override
  protected TicketStore newStore() {
    return new InMemoryTicketStore(Clock.systemUTC());
  }
}
