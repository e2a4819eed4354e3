/**
 * A small HTTP load generator for the benchmarks: closed loop (N clients, each sends its next
 * request when the previous one answers) and open loop (requests arrive on a schedule whatever the
 * answers do; latency is measured from the scheduled arrival, so a stalled server is not hidden by
 * clients that wait for it).
 *
 * The load generator shares the machine's two cores with the server and PostgreSQL, so its own
 * CPU per request counts against the result. Requests go over plain keep-alive TCP sockets
 * (`node:net`), one request at a time per socket, with a minimal HTTP/1.1 exchange: the request
 * written in one go, the answer read by its Content-Length (what `wrk`-style generators do). That
 * costs about a third of `node:http`'s client per request; `BENCH_CLIENT=node-http` uses
 * `node:http` instead, to compare.
 */
import * as http from 'node:http';
import * as net from 'node:net';

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

/** Sends requests over at most `sockets` keep-alive connections; more wait for a free one. */
export interface Client {
  send(target: Target): Promise<Reply>;
  destroy(): void;
}

export function client(base: URL, sockets: number): Client {
  return process.env.BENCH_CLIENT === 'node-http' ? nodeHttpClient(base, sockets) : rawClient(base, sockets);
}

function nodeHttpClient(base: URL, sockets: number): Client {
  const via = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  return {
    send: (target) =>
      new Promise((resolve, reject) => {
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
      }),
    destroy: () => via.destroy(),
  };
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One keep-alive connection carrying one request at a time. */
class RawConnection {
  readonly #socket: net.Socket;
  #buffer: Buffer = Buffer.alloc(0);
  #waiting: { resolve(reply: Reply): void; reject(err: Error): void } | undefined;
  #head: { status: number; length: number; bodyStart: number } | undefined;
  closed = false;

  constructor(base: URL) {
    this.#socket = net.connect({ host: base.hostname, port: Number(base.port) });
    this.#socket.setNoDelay(true);
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    const fail = (err: Error): void => {
      this.closed = true;
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.reject(err);
    };
    this.#socket.on('error', fail);
    this.#socket.on('close', () => fail(new Error('connection closed by the server')));
  }

  request(host: string, target: Target): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      let head = `${target.method} ${target.path} HTTP/1.1\r\nhost: ${host}\r\nauthorization: Bearer ${target.token}\r\n`;
      head += target.body ? `content-type: application/json\r\ncontent-length: ${target.body.length}\r\n\r\n` : '\r\n';
      this.#socket.cork();
      this.#socket.write(head, 'latin1');
      if (target.body) this.#socket.write(target.body);
      this.#socket.uncork();
    });
  }

  destroy(): void {
    this.closed = true;
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    if (!this.#head) {
      const end = this.#buffer.indexOf(HEADER_END);
      if (end < 0) return;
      const text = this.#buffer.toString('latin1', 0, end).toLowerCase();
      const status = Number(text.slice(9, 12));
      const length = /\r\ncontent-length: *(\d+)/.exec(text);
      if (!length) return this.#protocolError(`an answer without content-length: ${text.slice(0, 200)}`);
      if (/\r\nconnection: *close/.test(text)) this.closed = true;
      this.#head = { status, length: Number(length[1]), bodyStart: end + 4 };
    }
    const { status, length, bodyStart } = this.#head;
    if (this.#buffer.length < bodyStart + length) return;
    if (this.#buffer.length > bodyStart + length) return this.#protocolError('bytes after the answer (no pipelining was asked for)');
    const body = this.#buffer.toString('utf8', bodyStart, bodyStart + length);
    this.#buffer = Buffer.alloc(0);
    this.#head = undefined;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.resolve({ status, body });
  }

  #protocolError(message: string): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    this.destroy();
    waiting?.reject(new Error(message));
  }
}

function rawClient(base: URL, sockets: number): Client {
  const host = base.host;
  const idle: RawConnection[] = [];
  const all = new Set<RawConnection>();
  const queue: Array<() => void> = [];
  const acquire = async (): Promise<RawConnection> => {
    for (;;) {
      const free = idle.pop();
      if (free && !free.closed) return free;
      if (free) continue;
      if (all.size < sockets) {
        const fresh = new RawConnection(base);
        all.add(fresh);
        return fresh;
      }
      await new Promise<void>((r) => queue.push(r));
    }
  };
  const release = (connection: RawConnection): void => {
    if (connection.closed) all.delete(connection);
    else idle.push(connection);
    queue.shift()?.();
  };
  return {
    async send(target) {
      const connection = await acquire();
      try {
        return await connection.request(host, target);
      } finally {
        release(connection);
      }
    },
    destroy() {
      for (const connection of all) connection.destroy();
      all.clear();
      idle.length = 0;
    },
  };
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
  const via = client(base, clients);
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  let firstFailure: string | undefined;
  let ok = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          const reply = await via.send(next(c));
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
 * Calls `fire` at `rate` a second for `durationMs` (exponential gaps, i.e. Poisson arrivals, or
 * fixed ones) with the scheduled time (performance.now() ms), whatever the earlier calls are
 * doing; answers the calls still running (`inFlight`) once the schedule ends.
 */
export async function arrive(rate: number, durationMs: number, arrivals: 'poisson' | 'fixed', fire: (scheduled: number) => Promise<unknown>): Promise<{ started: number; lastArrival: number; inFlight: Set<Promise<unknown>> }> {
  const inFlight = new Set<Promise<unknown>>();
  const started = performance.now();
  const gap = () => (arrivals === 'poisson' ? -Math.log(1 - Math.random()) : 1) * (1000 / rate);
  let at = started + gap();
  while (at < started + durationMs) {
    const now = performance.now();
    if (at > now) {
      const wait = at - now;
      // setTimeout is only good to ~1 ms; wait the last stretch on setImmediate.
      await new Promise((r) => (wait > 2 ? setTimeout(r, wait - 1.5) : setImmediate(r)));
      continue;
    }
    const p: Promise<unknown> = fire(at).finally(() => inFlight.delete(p));
    inFlight.add(p);
    at += gap();
  }
  return { started, lastArrival: performance.now(), inFlight };
}

/**
 * Requests arrive at `rate` a second for `durationMs` — exponential gaps (Poisson arrivals) or
 * fixed ones — each on whatever keep-alive socket is free (up to `maxSockets`, then queued in the
 * agent, which counts against latency as it should). Latency runs from the scheduled arrival.
 * Requests still unanswered `graceMs` after the last arrival are abandoned and counted as
 * `timedOut`; their latency enters the distribution as the time they had waited by then (a lower
 * bound), so a server that falls behind shows it in p99 instead of hiding it.
 */
export async function openLoop(base: URL, rate: number, durationMs: number, next: (i: number) => Target, options: { arrivals?: 'poisson' | 'fixed'; maxSockets?: number; graceMs?: number; leadInMs?: number } = {}): Promise<RunResult & { offered: number; sent: number; timedOut: number; requests: Array<[number, number]> }> {
  const arrivals = options.arrivals ?? 'poisson';
  const via = client(base, options.maxSockets ?? 256);
  const latencies: number[] = [];
  const failed: Record<string, number> = {};
  let firstFailure: string | undefined;
  let ok = 0;
  let sent = 0;
  let abandoned = false;
  const pending = new Map<number, number>();
  /** Answered requests: [scheduled arrival as epoch ms, latency ms], to set beside machine stalls. */
  const requests: Array<[number, number]> = [];
  const measureFrom = performance.now() + (options.leadInMs ?? 0);
  const fail = (status: number, detail: string): void => {
    failed[status] = (failed[status] ?? 0) + 1;
    firstFailure ??= detail;
  };
  const { lastArrival, inFlight } = await arrive(rate, (options.leadInMs ?? 0) + durationMs, arrivals, (scheduled) => {
    // The lead-in: sent at the same rate, so sockets are open and the server is in its stride, but not measured (failures still count).
    if (scheduled < measureFrom) {
      return via.send(next(sent)).then(
        (reply) => (reply.status >= 200 && reply.status < 300 ? undefined : fail(reply.status, `${reply.status} ${reply.body.slice(0, 300)}`)),
        (err: unknown) => fail(0, String(err)),
      );
    }
    const i = sent++;
    pending.set(i, scheduled);
    return via.send(next(i)).then(
      (reply) => {
        if (abandoned) return;
        pending.delete(i);
        if (reply.status >= 200 && reply.status < 300) {
          ok++;
          const latency = performance.now() - scheduled;
          latencies.push(latency);
          requests.push([performance.timeOrigin + scheduled, latency]);
        } else {
          fail(reply.status, `${reply.status} ${reply.body.slice(0, 300)}`);
        }
      },
      (err: unknown) => {
        if (abandoned) return;
        pending.delete(i);
        fail(0, String(err));
      },
    );
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(inFlight), new Promise((r) => (timer = setTimeout(r, options.graceMs ?? 5000)))]);
  clearTimeout(timer);
  abandoned = true;
  const end = performance.now();
  const timedOut = pending.size;
  for (const scheduled of pending.values()) latencies.push(end - scheduled);
  const seconds = (Math.min(end, lastArrival + (options.graceMs ?? 5000)) - measureFrom) / 1000;
  via.destroy();
  return { ...finish(ok, failed, seconds, latencies, firstFailure), perSecond: ok / ((lastArrival - measureFrom) / 1000), offered: rate, sent, timedOut, requests };
}
