import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what survived the last major (mark-compact) GC
 * before it starts the next: `HEAP_GROWING_PERCENT` (default 300, the limit at 4 × the survivors).
 *
 * V8 picks that factor itself from how fast it collects against how fast the program allocates.
 * A server that promotes a little garbage to the old generation with every request (each command
 * replaces a cached state) looks cheap to collect, and V8 brings the factor down to about 1.2: a
 * major GC every few seconds under load, each pausing requests 10–40 ms, which decided the
 * open-loop p99 in `pnpm bench:open-ab` (21.3 ms against 8.8 ms with this at 300, 90 s at
 * 1,000/s; scripts/bench/NOTES.md). 4 is the highest factor V8 chooses on its own; fixing it
 * there trades memory (up to four times the live heap) for major GCs several times rarer: the
 * growth allowed between two goes from about 0.2–0.4 × the live heap to 3 ×.
 * `0` leaves V8's own choice. V8 reads the flag each time it sets the limit, so setting it once
 * the process runs takes effect at the next major GC.
 */
export function applyHeapGrowth(percent: number): void {
  if (!Number.isSafeInteger(percent) || percent < 0) throw new RangeError(`heap growing percent must be a whole number ≥ 0, not ${percent}`);
  // Set even when 0 (V8's own choice), so a process that builds several servers ends with the last one's setting.
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
