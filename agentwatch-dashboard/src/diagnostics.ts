import type { StoreApi } from 'zustand/vanilla';
import type { ConnState } from './store/connection';
import type { LiveState } from './store/live';

/** A store as an observer sees it: the current state and change notifications, no setter. */
export interface ObservedStore<T> {
  getState(): T;
  subscribe(listener: (state: T, previous: T) => void): () => void;
}

export interface Diagnostics {
  live: ObservedStore<LiveState>;
  connection: ObservedStore<ConnState>;
}

declare global {
  interface Window {
    /** See {@link exposeDiagnostics}. */
    agentwatch?: Diagnostics;
  }
}

const observed = <T,>(store: StoreApi<T>): ObservedStore<T> =>
  Object.freeze({ getState: store.getState, subscribe: store.subscribe });

/**
 * The diagnostic hook: `window.agentwatch` gives the live and connection stores to look at, so a
 * tool can measure the page users run (scripts/browser-bench.sh subscribes to it to time events
 * from ingest to screen) without a special build; the connection state includes `lagMs` and
 * `behind`, how far behind the server the page is while live. It carries no credentials (the key
 * stays in the auth store, which is not exposed) and no capability a script on the page lacks anyway.
 */
export function exposeDiagnostics(stores: { live: StoreApi<LiveState>; connection: StoreApi<ConnState> }) {
  window.agentwatch = Object.freeze({ live: observed(stores.live), connection: observed(stores.connection) });
}
