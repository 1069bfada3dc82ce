import { useSyncExternalStore } from 'react';

// One shared timer drives everything on screen that moves by itself: spinners
// and the polling of the output and announcement tails. Output arrives far
// faster than a terminal draws, so a flood costs one React update per tick at
// most, never one per line (Ink's maxFps throttles writes, not layout).

export const TICK_MS = 100;

type Listener = () => void;

function createTicker(intervalMs: number) {
  const listeners = new Set<Listener>();
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  return {
    subscribe(listener: Listener): () => void {
      listeners.add(listener);
      if (!timer) {
        timer = setInterval(() => {
          frame += 1;
          for (const notify of listeners) notify();
        }, intervalMs);
        // The console must never be what keeps a finished process alive.
        timer.unref();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    frame: () => frame,
  };
}

const ticker = createTicker(TICK_MS);

/** The shared frame counter: re-renders the caller once per tick. Use only where something animates. */
export function useTick(): number {
  return useSyncExternalStore(ticker.subscribe, ticker.frame);
}

/**
 * Reads a cheap value (a tail's `version`) at every tick and re-renders only when it changed:
 * React compares the snapshots and skips the update otherwise.
 */
export function usePolled<T>(read: () => T): T {
  return useSyncExternalStore(ticker.subscribe, read);
}
