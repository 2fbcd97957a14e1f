import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { api, authIsOff, get, onAuthRejected, serverClockOffset, setApiKey } from './api';
import { LiveClient, type SocketLike } from './live/client';
import { createConnectionStore } from './store/connection';
import { createLiveStore } from './store/live';
import { createCommandStore } from './store/commands';

const KEY = 'agentwatch.key';

/**
 * Who is signed in. The key lives in sessionStorage only: it survives a reload of this tab and
 * is gone when the tab or browser closes; it never goes to localStorage.
 */
export interface AuthState {
  /** null = signed out; '' = signed in without a key (the server runs with auth off). */
  key: string | null;
  message: string | null;
  signIn(key: string): Promise<void>;
  continueWithoutKey(): Promise<void>;
  signOut(message?: string): void;
}

export const live = createLiveStore({ capacity: 5000 });
export const connection = createConnectionStore();
/** Commands sent from this page, shown optimistically until the agent answers (or does not). */
export const commands = createCommandStore();

// Acknowledgements settle the commands they answer; the newest events are enough to look at.
live.subscribe((s, prev) => {
  if ((s.typeCounts['command.acknowledged'] ?? 0) !== (prev.typeCounts['command.acknowledged'] ?? 0)) {
    commands.getState().observe(s.events.slice(-500));
  }
});
setInterval(() => commands.getState().expire(), 1000);

function storedKey(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

let client: LiveClient | null = null;

/**
 * The WebSocket URL for one connection attempt. With a key, it carries a fresh single-use stream
 * ticket rather than the key, since URLs end up in proxy and access logs.
 */
async function wsUrl(key: string | null): Promise<string> {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const ticket = key ? (await api.streamTicket()).ticket : null;
  const token = ticket ? `?access_token=${encodeURIComponent(ticket)}` : '';
  return `${proto}://${location.host}/api/v1/ws${token}`;
}

/**
 * Loads agents and runs; asks again (a few times) until both answers reflect the same log cursor,
 * so that streaming after that cursor counts every later event exactly once.
 */
async function refetch(): Promise<string | null> {
  let asOf: string | null = null;
  for (let i = 0; i < 3; i++) {
    const [agents, runs] = await Promise.all([api.agents(), api.runs('running')]);
    live.getState().loadAgents(agents.agents);
    live.getState().loadRuns(runs.runs);
    asOf = agents.asOf;
    if (agents.asOf === runs.asOf) break;
  }
  return asOf;
}

const TASK_REFRESH_MS = 1000;
let taskEventsSeen = 0;
let taskRefresh: ReturnType<typeof setTimeout> | null = null;

/** Task counts of the runs in progress come from the server, at most once a second while tasks move. */
live.subscribe((s) => {
  let n = 0;
  for (const [type, count] of Object.entries(s.typeCounts)) if (type.startsWith('task.')) n += count;
  if (n === taskEventsSeen) return;
  taskEventsSeen = n;
  if (n === 0 || taskRefresh !== null) return;
  taskRefresh = setTimeout(() => {
    taskRefresh = null;
    api.runs('running').then((r) => live.getState().mergeRunTasks(r.runs), () => undefined);
  }, TASK_REFRESH_MS);
});

function startLive(key: string) {
  client?.stop();
  live.getState().reset(null);
  setApiKey(key || null);
  client = new LiveClient({
    live,
    connection,
    url: () => wsUrl(key || null),
    openSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    refetch,
    serverClockOffset,
    onRefused: () => {
      // A refused handshake looks like any drop to a browser; REST tells whether the key is the cause.
      get('/api/v1/agents?limit=1').catch(() => undefined);
    },
  });
  void client.start();
}

export const auth = createStore<AuthState>()((set, getState) => ({
  key: null,
  message: null,
  async signIn(key) {
    const k = key.trim();
    if (!k) {
      set({ message: 'Paste an API key first.' });
      return;
    }
    try {
      await get('/api/v1/agents?limit=1', k);
    } catch (e) {
      const status = (e as { status?: number }).status;
      set({
        message: status === 401 ? 'That key was not accepted (401). Check it, or ask an admin for a key with the read scope.'
          : status === 403 ? 'That key may not read (403). It needs the read scope.'
            : (e as Error).message,
      });
      return;
    }
    sessionStorage.setItem(KEY, k);
    set({ key: k, message: null });
    startLive(k);
  },
  async continueWithoutKey() {
    if (!(await authIsOff())) {
      set({ message: 'This server requires an API key. Paste the admin key it printed on first start.' });
      return;
    }
    sessionStorage.setItem(KEY, '');
    set({ key: '', message: null });
    startLive('');
  },
  signOut(message) {
    client?.stop();
    client = null;
    sessionStorage.removeItem(KEY);
    setApiKey(null);
    live.getState().reset(null);
    set({ key: null, message: message ?? null });
    if (getState().key === null) connection.getState().set({ status: 'idle', retryAt: null });
  },
}));

onAuthRejected(() => auth.getState().signOut('The server no longer accepts this key (401). Sign in again.'));

/** Resumes a session of this tab after a reload. */
export function restoreSession() {
  const k = storedKey();
  if (k !== null) {
    auth.setState({ key: k });
    startLive(k);
  }
}

export const useLive = <T,>(select: (s: ReturnType<typeof live.getState>) => T) => useStore(live, select);
export const useConnection = <T,>(select: (s: ReturnType<typeof connection.getState>) => T) => useStore(connection, select);
export const useAuth = <T,>(select: (s: AuthState) => T) => useStore(auth, select);
export const useCommands = <T,>(select: (s: ReturnType<typeof commands.getState>) => T) => useStore(commands, select);
