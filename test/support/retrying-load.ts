/** One command a client must get acknowledged: sent with its Idempotency-Key until it is. */
export interface LoadJob {
  key: string;
  /** The acknowledged answer (status 2xx), once there is one. */
  ack?: { status: number; body: Record<string, unknown> };
  attempts: number;
  /** Status of every failed attempt (0: no HTTP answer at all). */
  failures: number[];
}

type Answer = { status: number; body: Record<string, unknown>; headers: Headers };

/**
 * Several clients working through `jobs` as a careful real client does: a job is retried with the
 * same Idempotency-Key after a network error, a 5xx, a 429 or a 409 that says when to come back,
 * until it is acknowledged or `deadline` passes. Any other 4xx is an answer and ends the job.
 * A retry first waits for `gate` (e.g. until a load balancer would route to the service again).
 */
export async function runRetryingLoad<J extends LoadJob>(options: { jobs: J[]; workers: number; send: (job: J) => Promise<Answer>; deadline: number; onAck?: (job: J) => void; gate?: () => Promise<void> }): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < options.jobs.length) {
      const job = options.jobs[next++]!;
      while (job.ack === undefined && Date.now() < options.deadline) {
        job.attempts++;
        let res: Answer | undefined;
        try {
          res = await options.send(job);
        } catch {
          res = undefined;
        }
        if (res !== undefined && res.status < 300) {
          job.ack = { status: res.status, body: res.body };
          options.onAck?.(job);
          break;
        }
        job.failures.push(res?.status ?? 0);
        // A load balancer sends nothing to a service whose /readyz says it is not ready.
        await options.gate?.();
        const retryable = res === undefined || res.status >= 500 || res.status === 429 || (res.status === 409 && res.headers.has('retry-after'));
        if (!retryable) throw new Error(`${job.key}: ${res!.status} ${JSON.stringify(res!.body).slice(0, 300)}`);
        const after = Number(res?.headers.get('retry-after') ?? 0);
        await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(150, after * 1000))));
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
}

/** Polls `url` until it answers `status`; resolves to the milliseconds that took, or rejects at `timeoutMs`. */
export async function waitForStatus(url: string, status: number, timeoutMs: number): Promise<{ ms: number; body: Record<string, unknown> }> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
      const text = await res.text();
      last = `${res.status} ${text.slice(0, 300)}`;
      if (res.status === status) return { ms: Date.now() - started, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms; last: ${last}`);
}
