import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { throttleSubscribe } from '../src/store/throttle';

/** A store that changes like the live store under load: once per animation frame. */
function counter() {
  return createStore<{ n: number }>()(() => ({ n: 0 }));
}

function watch(store: ReturnType<typeof counter>, intervalMs: number) {
  const seen: number[] = [];
  const stop = throttleSubscribe(store.subscribe, intervalMs)(() => seen.push(store.getState().n));
  return { seen, stop };
}

const FRAME_MS = 16;

describe('a throttled subscription', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('tells of a change after a quiet interval at once', () => {
    const store = counter();
    const { seen } = watch(store, 250);
    store.setState({ n: 1 });
    expect(seen).toEqual([1]);
  });

  it('tells at most four times a second at 250 ms while the store changes every frame', () => {
    const store = counter();
    const { seen } = watch(store, 250);
    for (let t = 0; t < 10_000; t += FRAME_MS) {
      store.setState({ n: store.getState().n + 1 });
      vi.advanceTimersByTime(FRAME_MS);
    }
    expect(seen.length).toBeGreaterThanOrEqual(39);
    expect(seen.length).toBeLessThanOrEqual(41);
  });

  it('never tells twice within one interval, whatever the pattern of changes', () => {
    const seed = Date.now();
    let x = seed;
    const random = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const store = counter();
    const times: number[] = [];
    throttleSubscribe(store.subscribe, 250)(() => times.push(Date.now()));
    for (let i = 0; i < 2000; i++) {
      if (random() < 0.5) store.setState({ n: i });
      vi.advanceTimersByTime(Math.floor(random() * 60));
    }
    expect(times.length, `seed ${seed}`).toBeGreaterThan(10);
    for (let i = 1; i < times.length; i++) {
      expect(times[i] - times[i - 1], `seed ${seed}`).toBeGreaterThanOrEqual(250);
    }
  });

  it('shows the last value within the interval, however many changes came before it', () => {
    const store = counter();
    const { seen } = watch(store, 250);
    store.setState({ n: 1 });
    vi.advanceTimersByTime(10);
    store.setState({ n: 2 });
    store.setState({ n: 3 });
    expect(seen).toEqual([1]);
    vi.advanceTimersByTime(240);
    expect(seen).toEqual([1, 3]);
  });

  it('leaves no stale value once changes stop, and tells nothing when nothing changed', () => {
    const store = counter();
    const { seen } = watch(store, 250);
    for (let i = 1; i <= 50; i++) {
      store.setState({ n: i });
      vi.advanceTimersByTime(FRAME_MS);
    }
    vi.advanceTimersByTime(250);
    expect(seen[seen.length - 1]).toBe(50);
    const told = seen.length;
    vi.advanceTimersByTime(5_000);
    expect(seen.length).toBe(told);
    store.setState({ n: 51 });
    expect(seen[seen.length - 1]).toBe(51);
  });

  it('tells nothing after it is stopped, not even a change held back', () => {
    const store = counter();
    const { seen, stop } = watch(store, 250);
    store.setState({ n: 1 });
    store.setState({ n: 2 });
    stop();
    vi.advanceTimersByTime(1_000);
    store.setState({ n: 3 });
    expect(seen).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses an interval that is not positive', () => {
    expect(() => throttleSubscribe(counter().subscribe, 0)).toThrow('intervalMs must be positive, was 0');
  });
});
