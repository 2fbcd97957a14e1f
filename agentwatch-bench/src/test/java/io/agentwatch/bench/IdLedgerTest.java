package io.agentwatch.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import org.junit.jupiter.api.Test;

class IdLedgerTest {

  @Test
  void everyAckedEventFoundOnceIsOk() {
    IdLedger ledger = new IdLedger("run-a");
    ledger.acked(0, 0, 3, null);
    ledger.acked(1, 0, 2, null);
    for (String id : new String[] {"run-a.0.0", "run-a.0.1", "run-a.0.2", "run-a.1.0", "run-a.1.1"}) {
      ledger.seen(id);
    }

    IdLedger.Comparison c = ledger.compare();

    assertThat(c.ok()).isTrue();
    assertThat(c.acked()).isEqualTo(5);
    assertThat(c.found()).isEqualTo(5);
  }

  @Test
  void aMissingAckedEventAStoredTwiceOneAndAForeignOneAreReported() {
    IdLedger ledger = new IdLedger("run-a");
    BitSet rejected = new BitSet();
    rejected.set(2);
    ledger.acked(0, 10, 3, rejected);
    ledger.seen("run-a.0.10");
    ledger.seen("run-a.0.10");
    ledger.seen("run-a.0.12");
    ledger.seen("run-b.0.11");

    IdLedger.Comparison c = ledger.compare();

    assertThat(c.ok()).isFalse();
    assertThat(c.acked()).isEqualTo(2);
    assertThat(c.missing()).isEqualTo(1);
    assertThat(c.unacked()).isEqualTo(1);
    assertThat(c.duplicates()).isEqualTo(1);
    assertThat(c.foreign()).isEqualTo(1);
  }
}
