import type { AwEvent } from '../types';

export type Schedule = (flush: () => void) => void;

/** requestAnimationFrame where there is one (a hidden tab still flushes, via a timer). */
export const animationFrame: Schedule = (flush) => {
  if (typeof requestAnimationFrame === 'function' && typeof document !== 'undefined' && !document.hidden) {
    requestAnimationFrame(() => flush());
  } else {
    setTimeout(flush, 50);
  }
};

/**
 * Collects events as frames arrive and hands them to the store once per animation frame, so a
 * burst of thousands of frames costs one store update and one render. `lastCursor` is the cursor
 * of the last event received, flushed or not: the point to resume from. Each batch comes with the
 * newest of its events that arrived live (not replayed), or null, for measuring how late it is.
 */
export class FrameBatcher {
  private pending: AwEvent[] = [];
  private newestLive: AwEvent | null = null;
  private scheduled = false;
  lastCursor: string | null = null;

  constructor(
    private readonly apply: (batch: AwEvent[], newestLive: AwEvent | null) => void,
    private readonly schedule: Schedule = animationFrame,
  ) {}

  /** `live`: the event was delivered live rather than replayed from the log. */
  push(event: AwEvent, live = false) {
    this.pushAll([event], live);
  }

  /** The events of one frame, in order; `live` as for {@link push}. */
  pushAll(events: AwEvent[], live = false) {
    if (events.length === 0) return;
    for (const event of events) this.pending.push(event);
    const last = events[events.length - 1];
    if (live) this.newestLive = last;
    for (let i = events.length - 1; i >= 0; i--) {
      if (events[i].cursor) {
        this.lastCursor = events[i].cursor as string;
        break;
      }
    }
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  flush() {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    const newestLive = this.newestLive;
    this.pending = [];
    this.newestLive = null;
    this.apply(batch, newestLive);
  }

  /** Forgets unflushed events (after a reset they belong to a store that is gone). */
  drop(cursor: string | null) {
    this.pending = [];
    this.newestLive = null;
    this.lastCursor = cursor;
  }

  get size() {
    return this.pending.length;
  }
}
