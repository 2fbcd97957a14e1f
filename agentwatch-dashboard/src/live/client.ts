import type { ConnectionStore } from '../store/connection';
import type { LiveStore } from '../store/live';
import type { AwEvent } from '../types';
import { FrameBatcher, type Schedule, animationFrame } from './batcher';
import { LagMeter } from './lag';

/** The part of the browser's WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface ClientDeps {
  live: LiveStore;
  connection: ConnectionStore;
  /** The WebSocket URL, credentials included; may be fetched per attempt (a stream ticket). */
  url: () => string | Promise<string>;
  openSocket: (url: string) => SocketLike;
  /** Loads agents and runs over REST; answers the cursor the snapshot reflects. */
  refetch: () => Promise<string | null>;
  /** Called when the socket closed before opening: lets the app find out whether the key was refused. */
  onRefused?: () => void;
  /**
   * Server clock minus the page's clock, from the `Date` header of the latest API response (the
   * stream ticket's, with a key); read once per connection. Null or absent: the page's clock is taken as right.
   */
  serverClockOffset?: () => number | null;
  schedule?: Schedule;
  random?: () => number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 20_000;
const PING_EVERY_MS = 20_000;
const QUIET_MS = 750;
const RECENT_MS = 3_000;

/** Exponential backoff with jitter: attempt 1 waits 250-500 ms, doubling up to 10-20 s. */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

/**
 * One WebSocket with one batched subscription to everything the key may read: the server sends
 * `events` frames holding as many events as are ready. Resumes from the last cursor after a drop
 * (backoff with jitter), resubscribes from `resumeFrom` after a `gap`, and reloads REST state after
 * a `reset`. Each frame's events go through a {@link FrameBatcher} into the store, which applies at
 * most once per animation frame and drops redelivered ids. While live, a {@link LagMeter} measures
 * how late the applied events are, so the header can say "behind" instead of "live".
 */
export class LiveClient {
  private socket: SocketLike | null = null;
  private stopped = true;
  private subSeq = 0;
  private subId: string | null = null;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private quietTimer: unknown = null;
  private awaitingPong = false;
  readonly batcher: FrameBatcher;
  private readonly lag: LagMeter;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;

  constructor(private readonly deps: ClientDeps) {
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
    this.setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
    this.lag = new LagMeter({
      publish: (lag) => this.conn(lag), now: this.now, setTimer: this.setTimer, clearTimer: this.clearTimer,
    });
    this.batcher = new FrameBatcher((batch, newestLive) => {
      deps.live.getState().applyBatch(batch);
      if (newestLive?.receivedAt && deps.connection.getState().status === 'live') {
        this.lag.applied(Date.parse(newestLive.receivedAt));
      }
    }, deps.schedule ?? animationFrame);
  }

  /** Loads the REST snapshot, then streams everything after the cursor it reflects. */
  async start() {
    this.stopped = false;
    this.conn({ status: 'connecting', attempt: 0, retryAt: null, lastError: null });
    try {
      const asOf = await this.deps.refetch();
      if (this.deps.live.getState().lastCursor == null) this.batcher.lastCursor = asOf;
    } catch (e) {
      this.conn({ lastError: (e as Error).message });
    }
    if (!this.stopped) this.connect();
  }

  stop() {
    this.stopped = true;
    this.clear('retryTimer');
    this.clear('pingTimer');
    this.clear('quietTimer');
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = null;
      s.close(1000, 'signed out');
    }
    this.batcher.flush();
    this.conn({ status: 'idle', retryAt: null });
  }

  /** The cursor to resume from: the last event received, flushed or not. */
  resumeCursor(): string | null {
    return this.batcher.lastCursor ?? this.deps.live.getState().lastCursor;
  }

  private connect() {
    this.retryTimer = null;
    let url: string | Promise<string>;
    try {
      url = this.deps.url();
    } catch (e) {
      url = Promise.reject(e);
    }
    if (typeof url === 'string') {
      this.open(url);
      return;
    }
    url.then(
      (u) => { if (!this.stopped) this.open(u); },
      (e) => { if (!this.stopped) this.retry(`cannot open the stream: ${(e as Error).message}`); });
  }

  private open(url: string) {
    let opened = false;
    const socket = this.deps.openSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      opened = true;
      this.lag.start(this.deps.serverClockOffset?.() ?? null);
      this.conn({ attempt: 0, retryAt: null, lastError: null });
      this.subscribe(this.resumeCursor());
      this.startPings();
    };
    socket.onmessage = (ev) => this.onFrame(String(ev.data));
    socket.onerror = () => { /* onclose follows and decides */ };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.subId = null;
      this.clear('pingTimer');
      this.clear('quietTimer');
      this.batcher.flush();
      if (this.stopped) return;
      if (!opened) this.deps.onRefused?.();
      this.retry(ev.reason ? `connection closed: ${ev.reason}` : `connection closed (${ev.code})`);
    };
  }

  /** Schedules the next attempt after a backoff with jitter. */
  private retry(lastError: string) {
    const attempt = this.deps.connection.getState().attempt + 1;
    const delay = backoff(attempt, this.random);
    this.conn({ status: 'reconnecting', attempt, retryAt: this.now() + delay, lastError });
    this.retryTimer = this.setTimer(() => this.connect(), delay);
  }

  private subscribe(after: string | null) {
    this.subId = `live-${++this.subSeq}`;
    const frame: Record<string, unknown> = { op: 'subscribe', id: this.subId, filter: {}, batch: true };
    if (after) frame.after = after;
    this.send(frame);
    this.conn({ status: after ? 'catching-up' : 'live' });
    if (after) this.armQuietTimer();
  }

  private onFrame(text: string) {
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(text);
    } catch {
      return;
    }
    switch (f.op) {
      case 'event': {
        if (f.sub !== this.subId) return; // a frame of a subscription that already ended
        const event = f.event as AwEvent;
        if (typeof f.cursor === 'string') event.cursor = f.cursor;
        this.received([event]);
        return;
      }
      case 'events': {
        if (f.sub !== this.subId || !Array.isArray(f.events) || f.events.length === 0) return;
        const events = f.events as AwEvent[];
        // Each event carries its own cursor; the frame's is the one after the last.
        if (typeof f.cursor === 'string') events[events.length - 1].cursor = f.cursor;
        this.received(events);
        return;
      }
      case 'gap': {
        if (f.sub !== this.subId) return;
        const c = this.deps.connection.getState();
        this.conn({ status: 'gap', gaps: c.gaps + 1, lastError: `stream ended (${String(f.reason ?? 'unknown reason')}); resuming` });
        const from = typeof f.resumeFrom === 'string' ? f.resumeFrom : this.resumeCursor();
        if (f.reason === 'revoked') return; // the server closes the socket; the reconnect finds out
        this.subscribe(from);
        return;
      }
      case 'reset': {
        if (f.sub !== this.subId) return;
        const head = typeof f.resumeFrom === 'string' ? f.resumeFrom : null;
        const c = this.deps.connection.getState();
        this.conn({ resets: c.resets + 1, lastError: 'the server\'s store changed; reloaded state' });
        this.batcher.drop(head);
        this.deps.live.getState().reset(head);
        this.deps.refetch().catch((e) => this.conn({ lastError: (e as Error).message }));
        return;
      }
      case 'pong':
        this.awaitingPong = false;
        return;
      case 'error':
        this.conn({ lastError: String(f.error ?? 'error from server') });
        return;
    }
  }

  /** Events of one frame, in order: into the batcher, which applies them with the next animation frame. */
  private received(events: AwEvent[]) {
    if (this.deps.connection.getState().status === 'catching-up') {
      const newest = events[events.length - 1];
      const at = newest.receivedAt ? Date.parse(newest.receivedAt) : NaN;
      if (Number.isFinite(at) && this.lag.serverNow() - at < RECENT_MS) this.goLive();
      else this.armQuietTimer();
    }
    // Replayed events are old by nature ('catching up' says so); only live ones measure the lag.
    this.batcher.pushAll(events, this.deps.connection.getState().status === 'live');
  }

  private goLive() {
    this.clear('quietTimer');
    this.conn({ status: 'live' });
  }

  /** Catch-up ends when the replay goes quiet (or an event arrives that is seconds old at most). */
  private armQuietTimer() {
    this.clear('quietTimer');
    this.quietTimer = this.setTimer(() => {
      this.quietTimer = null;
      if (this.deps.connection.getState().status === 'catching-up') this.conn({ status: 'live' });
    }, QUIET_MS);
  }

  private startPings() {
    this.awaitingPong = false;
    const tick = () => {
      if (this.awaitingPong) {
        // No pong for a whole period: the connection is dead without having said so.
        this.socket?.close(4000, 'no pong');
        return;
      }
      this.awaitingPong = true;
      this.send({ op: 'ping' });
      this.pingTimer = this.setTimer(tick, PING_EVERY_MS);
    };
    this.pingTimer = this.setTimer(tick, PING_EVERY_MS);
  }

  private send(frame: object) {
    if (this.socket && this.socket.readyState === 1) this.socket.send(JSON.stringify(frame));
  }

  private clear(name: 'retryTimer' | 'pingTimer' | 'quietTimer') {
    if (this[name] != null) this.clearTimer(this[name]);
    this[name] = null;
  }

  /** Every status but live clears the lag in the same change: it is measured only while live. */
  private conn(patch: Parameters<ReturnType<ConnectionStore['getState']>['set']>[0]) {
    if (patch.status !== undefined && patch.status !== 'live') patch = { ...patch, ...this.lag.reset() };
    this.deps.connection.getState().set(patch);
  }
}
