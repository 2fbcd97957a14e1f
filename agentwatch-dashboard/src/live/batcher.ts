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
 * of the last event received, flushed or not: the point to resume from.
 */
export class FrameBatcher {
  private pending: AwEvent[] = [];
  private scheduled = false;
  lastCursor: string | null = null;

  constructor(private readonly apply: (batch: AwEvent[]) => void, private readonly schedule: Schedule = animationFrame) {}

  push(event: AwEvent) {
    this.pending.push(event);
    if (event.cursor) this.lastCursor = event.cursor;
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  flush() {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.apply(batch);
  }

  /** Forgets unflushed events (after a reset they belong to a store that is gone). */
  drop(cursor: string | null) {
    this.pending = [];
    this.lastCursor = cursor;
  }

  get size() {
    return this.pending.length;
  }
}
