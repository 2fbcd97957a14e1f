import { beforeEach, describe, expect, it } from 'vitest';
import { FrameBatcher } from '../src/live/batcher';
import { BACKOFF_MAX_MS, LiveClient, backoff, type SocketLike } from '../src/live/client';
import { BEHIND_ABOVE_MS, LAG_QUIET_MS } from '../src/live/lag';
import { createConnectionStore } from '../src/store/connection';
import { createLiveStore } from '../src/store/live';
import type { AwEvent } from '../src/types';
import { ev } from './fixtures';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: Record<string, unknown>[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) { this.sent.push(JSON.parse(data)); }
  close() { this.drop(1000); }
  open() { this.readyState = 1; this.onopen?.({}); }
  frame(f: object) { this.onmessage?.({ data: JSON.stringify(f) }); }
  drop(code = 1006) { this.readyState = 3; this.onclose?.({ code, reason: '' }); }
  subscriptions() { return this.sent.filter((f) => f.op === 'subscribe'); }
}

/** A hand-cranked world: frames flush when `frame()` is called, timers fire when `advance()` says. */
function world(
  url: () => string | Promise<string> = () => 'ws://test/api/v1/ws?access_token=k',
  serverClockOffset: () => number | null = () => null,
) {
  const live = createLiveStore({ capacity: 1000 });
  const connection = createConnectionStore();
  const sockets: FakeSocket[] = [];
  const frames: (() => void)[] = [];
  let clock = 1_000_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let timerSeq = 0;
  let refetches = 0;
  const client = new LiveClient({
    live, connection,
    url,
    openSocket: (url) => { const s = new FakeSocket(url); sockets.push(s); return s; },
    refetch: async () => { refetches++; return 'snap-0'; },
    serverClockOffset,
    schedule: (flush) => frames.push(flush),
    random: () => 1,
    now: () => clock,
    setTimer: (fn, ms) => { timers.set(++timerSeq, { at: clock + ms, fn }); return timerSeq; },
    clearTimer: (h) => { timers.delete(h as number); },
  });
  return {
    live, connection, client, sockets,
    get socket() { return sockets[sockets.length - 1]; },
    get refetches() { return refetches; },
    get now() { return clock; },
    frame() { frames.splice(0).forEach((f) => f()); },
    advance(ms: number) {
      clock += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= clock && timers.has(id)) { timers.delete(id); t.fn(); }
      }
    },
  };
}

function deliver(s: FakeSocket, sub: string, e: AwEvent) {
  s.frame({ op: 'event', sub, cursor: e.cursor, event: { ...e, cursor: undefined } });
}

describe('the live connection', () => {
  let w: ReturnType<typeof world>;
  beforeEach(async () => {
    w = world();
    await w.client.start();
    w.socket.open();
  });

  it('subscribes after the cursor of the REST snapshot it loaded', () => {
    expect(w.refetches).toBe(1);
    expect(w.socket.url).toContain('access_token=k');
    expect(w.socket.subscriptions()).toEqual([{ op: 'subscribe', id: 'live-1', filter: {}, batch: true, after: 'snap-0' }]);
    expect(w.connection.getState().status).toBe('catching-up');
  });

  it('goes live when the replay goes quiet', () => {
    w.socket.frame({ op: 'subscribed', sub: 'live-1' });
    w.advance(800);
    expect(w.connection.getState().status).toBe('live');
  });

  it('applies a burst of frames as one store update per animation frame', () => {
    let updates = 0;
    w.live.subscribe(() => updates++);
    for (let i = 0; i < 50; i++) deliver(w.socket, 'live-1', ev('log', 'a'));
    expect(w.live.getState().events).toHaveLength(0);
    w.frame();
    expect(updates).toBe(1);
    expect(w.live.getState().events).toHaveLength(50);
  });

  it('applies batched frames whole, at most once per animation frame, and resumes after their cursor', () => {
    let updates = 0;
    w.live.subscribe(() => updates++);
    const batch = (n: number) => Array.from({ length: n }, () => ev('log', 'a'));
    const first = batch(30);
    const second = batch(20);
    w.socket.frame({ op: 'events', sub: 'live-1', cursor: first[29].cursor, events: first });
    w.socket.frame({ op: 'events', sub: 'live-1', cursor: second[19].cursor, events: second });
    w.socket.frame({ op: 'events', sub: 'ended-sub', cursor: 'x', events: batch(5) });
    expect(w.live.getState().events).toHaveLength(0);
    w.frame();
    expect(updates).toBe(1);
    expect(w.live.getState().events).toHaveLength(50);
    expect(w.client.resumeCursor()).toBe(second[19].cursor);
  });

  it('resumes from the last received cursor after a drop, even before it was flushed', () => {
    const a = ev('log', 'a');
    const b = ev('log', 'a');
    deliver(w.socket, 'live-1', a);
    w.frame();
    deliver(w.socket, 'live-1', b);
    w.socket.drop();
    expect(w.connection.getState().status).toBe('reconnecting');
    expect(w.live.getState().events).toHaveLength(2);
    w.advance(BACKOFF_MAX_MS);
    expect(w.sockets).toHaveLength(2);
    w.socket.open();
    expect(w.socket.subscriptions()[0]).toMatchObject({ after: b.cursor });
  });

  it('never shows an event twice when the server redelivers it after a reconnect', () => {
    const a = ev('log', 'a');
    deliver(w.socket, 'live-1', a);
    w.socket.drop();
    w.advance(BACKOFF_MAX_MS);
    w.socket.open();
    const sub = w.socket.subscriptions()[0].id as string;
    deliver(w.socket, sub, a);
    deliver(w.socket, sub, ev('log', 'a'));
    w.frame();
    expect(w.live.getState().events.map((e) => e.id)).toEqual([a.id, expect.any(String)]);
    expect(w.live.getState().duplicates).toBe(1);
  });

  it('waits longer after each failed attempt and says when it retries', () => {
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      w.socket.drop();
      waits.push((w.connection.getState().retryAt ?? 0) - w.now);
      w.advance(BACKOFF_MAX_MS);
    }
    expect(waits).toEqual([500, 1000, 2000, 4000]);
    expect(w.connection.getState().attempt).toBe(4);
  });

  it('resets the attempt count once a connection opens again', () => {
    w.socket.drop();
    w.advance(BACKOFF_MAX_MS);
    w.socket.open();
    expect(w.connection.getState().attempt).toBe(0);
  });

  it('resubscribes from resumeFrom after a gap and ignores frames of the ended subscription', () => {
    const a = ev('log', 'a');
    deliver(w.socket, 'live-1', a);
    w.socket.frame({ op: 'gap', sub: 'live-1', resumeFrom: a.cursor, reason: 'slow' });
    expect(w.connection.getState().status).toBe('catching-up');
    expect(w.connection.getState().gaps).toBe(1);
    expect(w.socket.subscriptions()[1]).toEqual({ op: 'subscribe', id: 'live-2', filter: {}, batch: true, after: a.cursor });
    deliver(w.socket, 'live-1', ev('log', 'late'));
    deliver(w.socket, 'live-2', ev('log', 'b'));
    w.frame();
    expect(w.live.getState().events.map((e) => e.agentId)).toEqual(['a', 'b']);
  });

  it('reloads state and continues from the head after a reset', async () => {
    deliver(w.socket, 'live-1', ev('log', 'a'));
    w.frame();
    w.socket.frame({ op: 'reset', sub: 'live-1', resumeFrom: 'head-9' });
    await Promise.resolve();
    expect(w.refetches).toBe(2);
    expect(w.live.getState().events).toHaveLength(0);
    expect(w.client.resumeCursor()).toBe('head-9');
    expect(w.connection.getState().resets).toBe(1);
  });

  it('closes a connection that stopped answering pings so that it reconnects', () => {
    w.advance(20_000);
    expect(w.socket.sent.some((f) => f.op === 'ping')).toBe(true);
    w.advance(20_000);
    expect(w.connection.getState().status).toBe('reconnecting');
  });

  it('stops for good on sign-out', () => {
    w.client.stop();
    w.advance(60_000);
    expect(w.sockets).toHaveLength(1);
    expect(w.connection.getState().status).toBe('idle');
  });
});

describe('backoff', () => {
  it('doubles up to a ceiling and jitters down to half', () => {
    expect(backoff(1, () => 1)).toBe(500);
    expect(backoff(2, () => 1)).toBe(1000);
    expect(backoff(3, () => 0)).toBe(1000);
    expect(backoff(30, () => 1)).toBe(BACKOFF_MAX_MS);
  });
});

describe('the frame batcher', () => {
  it('schedules one flush for many events and knows the last cursor before flushing', () => {
    const batches: AwEvent[][] = [];
    const scheduled: (() => void)[] = [];
    const b = new FrameBatcher((batch) => batches.push(batch), (f) => scheduled.push(f));
    b.push(ev('log', 'a'));
    const last = ev('log', 'a');
    b.push(last);
    expect(scheduled).toHaveLength(1);
    expect(b.lastCursor).toBe(last.cursor);
    scheduled[0]();
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(2);
  });

  it('hands each batch the newest of its live events, and none for a batch of replayed ones', () => {
    const newest: (AwEvent | null)[] = [];
    const scheduled: (() => void)[] = [];
    const b = new FrameBatcher((_batch, live) => newest.push(live), (f) => scheduled.push(f));
    const live = ev('log', 'a');
    b.push(ev('log', 'a'), true);
    b.push(live, true);
    b.push(ev('log', 'a'), false);
    scheduled.shift()!();
    b.push(ev('log', 'a'), false);
    scheduled.shift()!();
    expect(newest).toEqual([live, null]);
  });
});

describe('a connection that needs a fresh stream ticket per attempt', () => {
  it('opens with the ticket it fetched, and backs off when the fetch fails', async () => {
    const answers: (() => Promise<string>)[] = [
      () => Promise.reject(new Error('The server cannot be reached. Is it running?')),
      () => Promise.resolve('ws://test/api/v1/ws?access_token=awt_second'),
    ];
    const w = world(() => answers.shift()!());
    await w.client.start();
    await Promise.resolve();
    await Promise.resolve();

    expect(w.sockets).toHaveLength(0);
    expect(w.connection.getState().status).toBe('reconnecting');
    expect(w.connection.getState().lastError).toContain('cannot be reached');

    w.advance(BACKOFF_MAX_MS);
    await Promise.resolve();
    await Promise.resolve();
    expect(w.sockets).toHaveLength(1);
    expect(w.socket.url).toContain('access_token=awt_second');
    w.socket.open();
    expect(w.socket.subscriptions()).toHaveLength(1);
  });
});

describe('how far behind the page is', () => {
  // The page's clock runs a minute ahead of the server's; the stream ticket's Date header says so.
  const OFFSET = -60_000;
  let w: ReturnType<typeof world>;
  const serverNow = () => w.now + OFFSET;
  /** An event the server stored `ageMs` ago, by its own clock. */
  const aged = (ageMs: number) => ev('log', 'a', {}, { receivedAt: new Date(serverNow() - ageMs).toISOString() });

  beforeEach(async () => {
    w = world(undefined, () => OFFSET);
    await w.client.start();
    w.socket.open();
  });

  it('does not count replayed history, which catching up already covers', () => {
    for (let i = 0; i < 100; i++) deliver(w.socket, 'live-1', aged(3_600_000 - i));
    w.frame();
    expect(w.connection.getState()).toMatchObject({ status: 'catching-up', lagMs: 0, behind: false });
    for (let i = 0; i < 100; i++) deliver(w.socket, 'live-1', aged(1_800_000 - i));
    w.advance(800); // the replay goes quiet before the frame that applies its last events
    w.frame();
    expect(w.connection.getState()).toMatchObject({ status: 'live', lagMs: 0, behind: false });
  });

  it('goes live on a recent event by the server clock, not the page clock a minute off', () => {
    deliver(w.socket, 'live-1', aged(100));
    expect(w.connection.getState().status).toBe('live');
  });

  it('says behind while live events are applied late, and live again once they are not', () => {
    deliver(w.socket, 'live-1', aged(100));
    w.frame();
    expect(w.connection.getState()).toMatchObject({ status: 'live', behind: false });
    expect(w.connection.getState().lagMs).toBeLessThan(BEHIND_ABOVE_MS);

    deliver(w.socket, 'live-1', aged(8_000));
    w.frame();
    expect(w.connection.getState()).toMatchObject({ status: 'live', lagMs: 8_000, behind: true });

    w.advance(500);
    deliver(w.socket, 'live-1', aged(200));
    w.frame();
    expect(w.connection.getState()).toMatchObject({ status: 'live', lagMs: 200, behind: false });
  });

  it('is not behind when the stream goes quiet after a late batch', () => {
    deliver(w.socket, 'live-1', aged(100));
    deliver(w.socket, 'live-1', aged(8_000));
    w.frame();
    expect(w.connection.getState().behind).toBe(true);
    w.advance(LAG_QUIET_MS);
    expect(w.connection.getState()).toMatchObject({ status: 'live', lagMs: 0, behind: false });
  });

  it('clears the lag when the connection drops, and measures afresh after the reconnect', () => {
    deliver(w.socket, 'live-1', aged(100));
    deliver(w.socket, 'live-1', aged(8_000));
    w.frame();
    w.socket.drop();
    expect(w.connection.getState()).toMatchObject({ status: 'reconnecting', lagMs: 0, behind: false });
    w.advance(BACKOFF_MAX_MS);
    w.socket.open();
    const sub = w.socket.subscriptions()[0].id as string;
    deliver(w.socket, sub, aged(50_000)); // replayed
    w.frame();
    expect(w.connection.getState()).toMatchObject({ status: 'catching-up', behind: false });
    deliver(w.socket, sub, aged(300));
    w.frame();
    expect(w.connection.getState()).toMatchObject({ status: 'live', lagMs: 300, behind: false });
  });
});
