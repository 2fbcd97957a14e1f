/** Behind once the newest live event applied was stored more than this long ago (server time). */
export const BEHIND_ABOVE_MS = 2_000;
/** Live again once it is less than this: the gap between the two keeps the badge from flickering. */
export const LIVE_BELOW_MS = 1_000;
/** The lag reaches the connection store at most this often (a change of `behind` at once). */
export const LAG_PUBLISH_EVERY_MS = 250;
/** Nothing applied for this long: every event the page was given is on screen, so it is not behind. */
export const LAG_QUIET_MS = 2_000;

/** How far behind the server the page is. */
export interface Lag {
  /** Server now minus `receivedAt` of the newest live event applied; 0 when there is nothing to measure. */
  lagMs: number;
  behind: boolean;
}

export const NO_LAG: Lag = Object.freeze({ lagMs: 0, behind: false });

/**
 * Server clock minus this page's clock, from the HTTP `Date` header of a response and the local time
 * it arrived. The header has whole seconds, cut off, so the server's time is taken as mid-second:
 * the estimate is within about half a second plus the response's travel time. Null without a
 * readable header.
 */
export function clockOffsetFromDate(date: string | null | undefined, arrivedAtMs: number): number | null {
  if (!date) return null;
  const serverMs = Date.parse(date);
  return Number.isFinite(serverMs) ? serverMs + 500 - arrivedAtMs : null;
}

export interface LagMeterDeps {
  publish: (lag: Lag) => void;
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
}

/**
 * Measures the lag when a batch of live events is applied (once per animation frame, not per event):
 * the server's now, estimated with the connection's clock offset, minus the newest event's
 * `receivedAt`. Events applied late, or waiting in the browser to be applied, make it grow. Behind
 * above {@link BEHIND_ABOVE_MS}, live again below {@link LIVE_BELOW_MS}. When no batch comes for
 * {@link LAG_QUIET_MS} the page has applied all it was given, and the lag is 0: a quiet stream is
 * not a late one. One timer at a time watches for that.
 */
export class LagMeter {
  private offsetMs = 0;
  private lag: Lag = NO_LAG;
  private publishedAt = -Infinity;
  private appliedAt = -Infinity;
  private quietTimer: unknown = null;

  constructor(private readonly deps: LagMeterDeps) {}

  /** Server clock minus the page's clock for this connection; null (unknown) takes the page's clock as right. */
  start(offsetMs: number | null) {
    this.offsetMs = offsetMs ?? 0;
    this.reset();
  }

  /** The server's time now, as far as the page can tell. */
  serverNow(): number {
    return this.deps.now() + this.offsetMs;
  }

  /** A batch of live events was just applied; the newest of them was stored at `receivedAtMs` (server clock). */
  applied(receivedAtMs: number) {
    if (!Number.isFinite(receivedAtMs)) return;
    this.appliedAt = this.deps.now();
    this.update(Math.max(0, this.serverNow() - receivedAtMs));
    if (this.quietTimer == null) this.watchQuiet(LAG_QUIET_MS);
  }

  /** Forgets the measurement without publishing it (the caller clears the store with its own change). */
  reset(): Lag {
    if (this.quietTimer != null) this.deps.clearTimer(this.quietTimer);
    this.quietTimer = null;
    this.lag = NO_LAG;
    this.publishedAt = -Infinity;
    this.appliedAt = -Infinity;
    return NO_LAG;
  }

  private update(lagMs: number) {
    const behind = this.lag.behind ? lagMs >= LIVE_BELOW_MS : lagMs > BEHIND_ABOVE_MS;
    const turned = behind !== this.lag.behind;
    this.lag = { lagMs, behind };
    const now = this.deps.now();
    if (turned || now - this.publishedAt >= LAG_PUBLISH_EVERY_MS) {
      this.publishedAt = now;
      this.deps.publish(this.lag);
    }
  }

  private watchQuiet(ms: number) {
    this.quietTimer = this.deps.setTimer(() => {
      this.quietTimer = null;
      const idle = this.deps.now() - this.appliedAt;
      if (idle < LAG_QUIET_MS) {
        this.watchQuiet(LAG_QUIET_MS - idle);
      } else if (this.lag.lagMs !== 0) {
        this.lag = NO_LAG;
        this.publishedAt = this.deps.now();
        this.deps.publish(NO_LAG);
      }
    }, ms);
  }
}
