/**
 * A small HTTP load generator on `node:http` (keep-alive agent, one socket per client), for the
 * benchmarks: closed loop (N clients, each sends its next request when the previous one answers)
 * and open loop (requests arrive on a schedule whatever the answers do; latency is measured from
 * the scheduled arrival, so a stalled server is not hidden by clients that wait for it).
 */
import * as http from 'node:http';

export interface Target {
  method: 'POST' | 'GET';
  path: string;
  token: string;
  body?: Buffer;
}

export interface Reply {
  status: number;
  body: string;
}

export function agent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
}

export function send(base: URL, via: http.Agent, target: Target): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${target.token}` };
    if (target.body) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = target.body.length;
    }
    const req = http.request({ host: base.hostname, port: base.port, method: target.method, path: target.path, agent: via, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(target.body);
  });
}

export interface RunResult {
  /** Requests answered 2xx. */
  ok: number;
  /** Other answers and failed requests, by status (0 = a network error). */
  failed: Record<string, number>;
  seconds: number;
  perSecond: number;
  /** Latencies of the 2xx answers, ms, sorted. */
  latencies: Float64Array;
  /** The first failure seen, for the report. */
  firstFailure?: string;
}

function finish(ok: number, failed: Record<string, number>, seconds: number, latencies: number[], firstFailure: string | undefined): RunResult {
  const sorted = Float64Array.from(latencies).sort();
  return { ok, failed, seconds, perSecond: ok / seconds, latencies: sorted, ...(firstFailure ? { firstFailure } : {}) };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** `clients` loops, each with its own keep-alive socket, for `durationMs`. */
export async function closedLoop(base: URL, clients: number, durationMs: number, next: (client: number) => Target): Promise<RunResult> {
  const via = agent(clients);
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  let firstFailure: string | undefined;
  let ok = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          const reply = await send(base, via, next(client));
          if (reply.status >= 200 && reply.status < 300) {
            ok++;
            latencies.push(performance.now() - t0);
          } else {
            failed[reply.status] = (failed[reply.status] ?? 0) + 1;
            firstFailure ??= `${reply.status} ${reply.body.slice(0, 300)}`;
          }
        } catch (err) {
          failed['0'] = (failed['0'] ?? 0) + 1;
          firstFailure ??= String(err);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  via.destroy();
  return finish(ok, failed, seconds, latencies, firstFailure);
}

/**
 * Requests arrive at `rate` a second for `durationMs` — exponential gaps (Poisson arrivals) or
 * fixed ones — each on whatever keep-alive socket is free (up to `maxSockets`, then queued in the
 * agent, which counts against latency as it should). Latency runs from the scheduled arrival.
 * Requests still unanswered `graceMs` after the last arrival are abandoned and counted as
 * `timedOut`; their latency enters the distribution as the time they had waited by then (a lower
 * bound), so a server that falls behind shows it in p99 instead of hiding it.
 */
export async function openLoop(base: URL, rate: number, durationMs: number, next: (i: number) => Target, options: { arrivals?: 'poisson' | 'fixed'; maxSockets?: number; graceMs?: number } = {}): Promise<RunResult & { offered: number; sent: number; timedOut: number }> {
  const arrivals = options.arrivals ?? 'poisson';
  const via = agent(options.maxSockets ?? 256);
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  let firstFailure: string | undefined;
  let ok = 0;
  let sent = 0;
  let abandoned = false;
  const pending = new Map<number, number>();
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let at = started;
  const gap = () => (arrivals === 'poisson' ? -Math.log(1 - Math.random()) : 1) * (1000 / rate);
  at += gap();
  while (at < started + durationMs) {
    const now = performance.now();
    if (at > now) {
      const wait = at - now;
      // setTimeout is only good to ~1 ms; wait the last stretch on setImmediate.
      await new Promise((r) => (wait > 2 ? setTimeout(r, wait - 1.5) : setImmediate(r)));
      continue;
    }
    const scheduled = at;
    const i = sent++;
    pending.set(i, scheduled);
    const p = send(base, via, next(i)).then(
      (reply) => {
        if (abandoned) return;
        pending.delete(i);
        if (reply.status >= 200 && reply.status < 300) {
          ok++;
          latencies.push(performance.now() - scheduled);
        } else {
          failed[reply.status] = (failed[reply.status] ?? 0) + 1;
          firstFailure ??= `${reply.status} ${reply.body.slice(0, 300)}`;
        }
      },
      (err: unknown) => {
        if (abandoned) return;
        pending.delete(i);
        failed['0'] = (failed['0'] ?? 0) + 1;
        firstFailure ??= String(err);
      },
    ).finally(() => inFlight.delete(p));
    inFlight.add(p);
    at += gap();
  }
  const lastArrival = performance.now();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(inFlight), new Promise((r) => (timer = setTimeout(r, options.graceMs ?? 5000)))]);
  clearTimeout(timer);
  abandoned = true;
  const end = performance.now();
  const timedOut = pending.size;
  for (const scheduled of pending.values()) latencies.push(end - scheduled);
  const seconds = (Math.min(end, lastArrival + (options.graceMs ?? 5000)) - started) / 1000;
  via.destroy();
  return { ...finish(ok, failed, seconds, latencies, firstFailure), perSecond: ok / ((lastArrival - started) / 1000), offered: rate, sent, timedOut };
}
