import { createStore } from 'zustand/vanilla';

/**
 * The truth about the live connection, shown in the header:
 * connecting → catching-up (replaying stored events after the cursor) → live;
 * reconnecting (with `retryAt`) after a drop; gap while a subscription that fell behind is resumed.
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
    set: (patch) => set(patch),
  }));
}

export type ConnectionStore = ReturnType<typeof createConnectionStore>;
