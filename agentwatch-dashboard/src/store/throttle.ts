import { useMemo, useSyncExternalStore } from 'react';

/** How a store is watched: call `listener` on every change; the result stops watching. */
export type Subscribe = (listener: () => void) => () => void;

/**
 * Watches through `subscribe`, but tells `listener` at most once per `intervalMs`: the first change
 * after a quiet interval at once, later ones together at the end of the interval. So the last change
 * always reaches the listener within `intervalMs`, and nothing is held back once changes stop.
 */
export function throttleSubscribe(subscribe: Subscribe, intervalMs: number): Subscribe {
  if (!(intervalMs > 0)) throw new Error(`intervalMs must be positive, was ${intervalMs}`);
  return (listener) => {
    let cooling: ReturnType<typeof setTimeout> | null = null;
    let pending = false;
    const cooldown = () => {
      cooling = setTimeout(() => {
        cooling = null;
        if (pending) {
          pending = false;
          listener();
          cooldown();
        }
      }, intervalMs);
    };
    const unsubscribe = subscribe(() => {
      if (cooling !== null) {
        pending = true;
        return;
      }
      listener();
      cooldown();
    });
    return () => {
      unsubscribe();
      if (cooling !== null) clearTimeout(cooling);
      cooling = null;
      pending = false;
    };
  };
}

/**
 * The state of `store` for a component that need not follow every change: it renders again at most
 * once per `intervalMs` for the store (the latest state within that interval), and reads the
 * latest state whenever it renders for another reason.
 */
export function useThrottledState<S>(store: { subscribe: Subscribe; getState: () => S }, intervalMs: number): S {
  const subscribe = useMemo(() => throttleSubscribe(store.subscribe, intervalMs), [store, intervalMs]);
  return useSyncExternalStore(subscribe, store.getState);
}
