import { describe, expect, it } from 'vitest';
import {
  BEHIND_ABOVE_MS, LAG_PUBLISH_EVERY_MS, LAG_QUIET_MS, LIVE_BELOW_MS, LagMeter, clockOffsetFromDate, type Lag,
} from '../src/live/lag';

const SERVER_NOW = Date.UTC(2026, 10, 28, 16, 0, 0);

/** A meter on a hand-cranked clock that reads `skewMs` ahead of the server's. */
function meter(skewMs = 0) {
  let clock = SERVER_NOW + skewMs;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let seq = 0;
  const published: Lag[] = [];
  const m = new LagMeter({
    publish: (lag) => published.push(lag),
    now: () => clock,
    setTimer: (fn, ms) => { timers.set(++seq, { at: clock + ms, fn }); return seq; },
    clearTimer: (h) => { timers.delete(h as number); },
  });
  return {
    m, published,
    get last() { return published[published.length - 1]; },
    get serverNow() { return clock - skewMs; },
    /** Applies a batch whose newest event was stored `lagMs` ago, by the server's clock. */
    applyAged(lagMs: number) { m.applied(clock - skewMs - lagMs); },
    advance(ms: number) {
      clock += ms;
      for (const [id, t] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at <= clock && timers.has(id)) { timers.delete(id); t.fn(); }
      }
    },
  };
}

describe('the server clock offset', () => {
  it('is read from a Date header, taking the server to be mid-second', () => {
    const arrived = SERVER_NOW + 3_600_000 + 200; // this page's clock runs an hour and 0.2 s ahead
    expect(clockOffsetFromDate('Sat, 28 Nov 2026 16:00:00 GMT', arrived)).toBe(-3_600_000 + 300);
  });

  it('is unknown without a readable Date header', () => {
    expect(clockOffsetFromDate(null, SERVER_NOW)).toBeNull();
    expect(clockOffsetFromDate('', SERVER_NOW)).toBeNull();
    expect(clockOffsetFromDate('yesterday-ish', SERVER_NOW)).toBeNull();
  });
});

describe('the lag meter', () => {
  it('measures against the server clock, so a page clock an hour ahead shows no false lag', () => {
    const skew = 3_600_000;
    const w = meter(skew);
    w.m.start(clockOffsetFromDate(new Date(w.serverNow).toUTCString(), SERVER_NOW + skew));
    w.applyAged(300);
    expect(w.last.behind).toBe(false);
    expect(Math.abs(w.last.lagMs - 300)).toBeLessThanOrEqual(1000);
  });

  it('takes the page clock as right when the offset is unknown (an hour off here, so an hour of lag)', () => {
    const w = meter(3_600_000);
    w.m.start(null);
    w.applyAged(300);
    expect(w.last).toEqual({ lagMs: 3_600_300, behind: true });
  });

  it('turns behind above the threshold and live again only well below it', () => {
    const w = meter();
    w.m.start(0);
    const behindAfter = (lagMs: number) => {
      w.advance(LAG_PUBLISH_EVERY_MS);
      w.applyAged(lagMs);
      return w.last.behind;
    };
    expect(behindAfter(BEHIND_ABOVE_MS - 100)).toBe(false);
    expect(behindAfter(BEHIND_ABOVE_MS)).toBe(false);
    expect(behindAfter(BEHIND_ABOVE_MS + 1)).toBe(true);
    expect(behindAfter(LIVE_BELOW_MS + 500)).toBe(true); // between the two: stays behind
    expect(behindAfter(BEHIND_ABOVE_MS + 500)).toBe(true);
    expect(behindAfter(LIVE_BELOW_MS - 1)).toBe(false);
    expect(behindAfter(LIVE_BELOW_MS + 500)).toBe(false); // between the two: stays live
  });

  it('publishes a few times a second however many batches come, but a turn at once', () => {
    const w = meter();
    w.m.start(0);
    for (let i = 0; i < 60; i++) { // a second of frames
      w.applyAged(500);
      w.advance(1000 / 60);
    }
    expect(w.published.length).toBeLessThanOrEqual(1000 / LAG_PUBLISH_EVERY_MS + 1);
    const before = w.published.length;
    w.applyAged(BEHIND_ABOVE_MS + 1000);
    expect(w.published.length).toBe(before + 1);
    expect(w.last).toEqual({ lagMs: BEHIND_ABOVE_MS + 1000, behind: true });
  });

  it('is back to no lag once the stream goes quiet, since all it was given is on screen', () => {
    const w = meter();
    w.m.start(0);
    w.applyAged(5_000);
    expect(w.last.behind).toBe(true);
    w.advance(LAG_QUIET_MS - 1);
    expect(w.last.behind).toBe(true);
    w.advance(1);
    expect(w.last).toEqual({ lagMs: 0, behind: false });
  });

  it('does not call a busy stream quiet while batches keep coming', () => {
    const w = meter();
    w.m.start(0);
    for (let t = 0; t < 3 * LAG_QUIET_MS; t += 500) {
      w.applyAged(5_000);
      w.advance(500);
      expect(w.last.behind).toBe(true);
    }
  });

  it('forgets the measurement on reset without publishing it', () => {
    const w = meter();
    w.m.start(0);
    w.applyAged(5_000);
    const published = w.published.length;
    expect(w.m.reset()).toEqual({ lagMs: 0, behind: false });
    w.advance(10 * LAG_QUIET_MS);
    expect(w.published).toHaveLength(published);
  });
});
