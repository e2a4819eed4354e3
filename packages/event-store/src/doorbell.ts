/**
 * Wakes sleeping subscribers. Take a ticket before reading; `wait(ticket)` returns at once if
 * the bell rang since, so a ring between the read and the wait is never lost.
 */
export interface Doorbell {
  ticket(): number;
  ring(): void;
  /** Resolves when rung after `ticket`, after `timeoutMs`, or when `signal` aborts. */
  wait(ticket: number, timeoutMs: number, signal: AbortSignal): Promise<void>;
}

export function createDoorbell(): Doorbell {
  let rings = 0;
  const sleepers = new Set<() => void>();
  return {
    ticket: () => rings,
    ring() {
      rings++;
      for (const wake of [...sleepers]) wake();
    },
    wait(ticket, timeoutMs, signal) {
      if (rings !== ticket || signal.aborted) return Promise.resolve();
      return new Promise((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          sleepers.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        const timer = setTimeout(wake, timeoutMs);
        sleepers.add(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    },
  };
}
