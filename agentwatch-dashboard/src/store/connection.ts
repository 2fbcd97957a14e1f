import { createStore } from 'zustand/vanilla';

/**
 * The truth about the live connection, shown in the header:
 * connecting → catching-up (replaying stored events after the cursor) → live;
 * reconnecting (with `retryAt`) after a drop; gap while a subscription the server ended (a
 * restart, say) is resumed. A client that reads slowly is never ended: the server catches it up.
 * While live, `lagMs` and `behind` say whether the page keeps up: a socket that stays open can still
 * deliver events seconds late when the browser cannot apply them as fast as they come.
 */
export type ConnStatus = 'idle' | 'connecting' | 'catching-up' | 'live' | 'reconnecting' | 'gap';

export interface ConnState {
  status: ConnStatus;
  /** Epoch ms of the next reconnect attempt while reconnecting. */
  retryAt: number | null;
  attempt: number;
  gaps: number;
  resets: number;
  lastError: string | null;
  /**
   * While live: the server's now minus `receivedAt` of the newest live event applied, measured as
   * batches are applied (a few updates a second at most); 0 when the stream is quiet or not live.
   */
  lagMs: number;
  /** Live but too far behind to say so (see src/live/lag.ts for the thresholds). */
  behind: boolean;
  set(patch: Partial<Omit<ConnState, 'set'>>): void;
}

export function createConnectionStore() {
  return createStore<ConnState>()((set) => ({
    status: 'idle',
    retryAt: null,
    attempt: 0,
    gaps: 0,
    resets: 0,
    lastError: null,
    lagMs: 0,
    behind: false,
    set: (patch) => set(patch),
  }));
}

export type ConnectionStore = ReturnType<typeof createConnectionStore>;
