/**
 * pnpm bench:projections [--events N] [--lag-seconds S] [--rate R]
 *
 * 1. Generates a province of N events (default 1,000,000 on PostgreSQL, 50,000 on PGlite) through
 *    the domain's deciders into a fresh store (DATABASE_URL: a new gg_test_* database, dropped at
 *    the end; otherwise PGlite in memory). Not timed.
 * 2. Rebuilds every read model from the first event (rebuildProjections: read, parse and validate
 *    each event, apply the handlers, write, swap) and, in the same run on the same events, a raw
 *    set-based baseline: the same pages read the same way, no parsing, one `insert … select from
 *    json_to_recordset` per page into a feed table and one grouped upsert per page into a
 *    per-stream table. Reports events/s for both and the ratio.
 * 3. Starts the live projector and appends single events at R appends/s (default 1,000) for S
 *    seconds (default 20), measuring commit-to-projection lag: from an append's return to the
 *    commit of the projector batch that includes it.
 */
import { parseArgs } from 'node:util';
import { availableParallelism, cpus } from 'node:os';
import { createSqlEventStore, type Position } from '@gongguan/event-store';
import { createLogger } from '@gongguan/platform';
import { openPglite, openPostgres, type Sql } from '@gongguan/platform/db';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { allProjections, ensureReadModels, rebuildProjections, startProjector } from '../src/index.js';
import { loadProvince } from '../src/generate/load.js';

const { values } = parseArgs({ options: { events: { type: 'string' }, 'lag-seconds': { type: 'string', default: '20' }, rate: { type: 'string', default: '1000' } } });
const baseUrl = process.env.DATABASE_URL;
const target = values.events ? Number(values.events) : baseUrl ? 1_000_000 : 50_000;
const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
const fmt = (n: number) => Math.round(n).toLocaleString('en');

const db = baseUrl ? await createPostgresDatabase(baseUrl) : undefined;
const sql: Sql = db?.url ? openPostgres({ url: db.url, poolSize: 20 }) : await openPglite(undefined);
const store = await createSqlEventStore({ sql });
try {
  console.log(`machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ${db ? `PostgreSQL ${(await sql.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v}` : 'PGlite (in memory)'}`);
  let t = performance.now();
  const loaded = await loadProvince(store, { projects: Math.ceil(target / 20), maxEvents: target, seed: 42 }, {
    concurrency: db ? 16 : 4,
    onProgress: (p) => process.stderr.write(`\r  generating: ${fmt(p.events)} events`),
  });
  console.log(`\ngenerated ${fmt(loaded.events)} events (${fmt(loaded.projects)} projects) in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  await ensureReadModels(sql, allProjections);

  const baseline = async () => {
    await sql.exec(`drop schema if exists bench_raw cascade; create schema bench_raw;
      create table bench_raw.feed (position text collate "C" primary key, stream text, type text, actor text, data json);
      create table bench_raw.streams (stream text primary key, events integer, last_type text, last_position text);`);
    const started = performance.now();
    let n = 0;
    const fetchPage = (after?: Position) => {
      const p = store.readAll({ ...(after ? { after } : {}), limit: 5000 }).then((page) => ({ ...page, json: JSON.stringify(page.events.map((e) => ({ position: e.position, stream: e.stream, type: e.type, actor: e.metadata.actorId, data: e.data }))) }));
      p.catch(() => undefined);
      return p;
    };
    let next = fetchPage();
    for (;;) {
      const page = await next;
      if (!page.caughtUp) next = fetchPage(page.position);
      await sql.transaction(async (tx) => {
        if (db) await tx.query('set local synchronous_commit = off');
        await tx.query(`insert into bench_raw.feed select * from json_populate_recordset(null::bench_raw.feed, $1::json)`, [page.json]);
        await tx.query(
          `insert into bench_raw.streams select stream, count(*), max(type), max(position) from json_populate_recordset(null::bench_raw.feed, $1::json) group by stream
           on conflict (stream) do update set events = bench_raw.streams.events + excluded.events, last_type = excluded.last_type, last_position = excluded.last_position`,
          [page.json],
        );
      });
      n += page.events.length;
      if (page.caughtUp) break;
    }
    return n / ((performance.now() - started) / 1000);
  };

  const rawRate = await baseline();
  console.log(`raw set-based upsert baseline: ${fmt(rawRate)} events/s`);
  t = performance.now();
  const rebuilt = await rebuildProjections({ sql, store, projections: allProjections, logger });
  const rebuildRate = rebuilt.events / ((performance.now() - t) / 1000);
  console.log(`rebuild of all read models:    ${fmt(rebuildRate)} events/s (${fmt(rebuilt.events)} events, ${rebuilt.seconds.toFixed(1)} s)`);
  console.log(`ratio rebuild / baseline:      ${(rebuildRate / rawRate).toFixed(2)}`);

  const seconds = Number(values['lag-seconds']);
  const rate = Number(values.rate);
  const projector = startProjector({ sql, store, projections: allProjections, logger });
  await new Promise((r) => setTimeout(r, 500));
  const pending: Array<{ position: string; at: number }> = [];
  const lags: number[] = [];
  projector.onCommit((info) => {
    const now = performance.now();
    while (pending.length > 0 && (pending[0]?.position ?? '') <= info.position) lags.push(now - (pending.shift()?.at ?? now));
  });
  const start = performance.now();
  const total = seconds * rate;
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const ref = `LAG${String(i).padStart(8, '0')}`;
    const p = store
      .append(`bank-reference-${ref}`, [{ id: crypto.randomUUID(), type: 'BankReferenceClaimed', schemaVersion: 1, data: { by: { id: 'finance-01', role: 'finance' }, at: new Date().toISOString(), bankReference: ref, claimant: { kind: 'disbursement', id: `d${i}` } }, metadata: { actorId: 'finance-01', actorRole: 'finance', correlationId: `lag-${i}` } }], { expectedRevision: 'no_stream' })
      .then((r) => {
        const at = performance.now();
        // Keep pending sorted by position (appends may return out of order).
        let k = pending.length;
        while (k > 0 && (pending[k - 1]?.position ?? '') > r.position) k--;
        pending.splice(k, 0, { position: r.position, at });
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
  const achieved = total / ((performance.now() - start) / 1000);
  for (let i = 0; i < 200 && pending.length > 0; i++) await new Promise((r) => setTimeout(r, 25));
  await projector.stop();
  lags.sort((a, b) => a - b);
  const q = (p: number) => lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] ?? NaN;
  console.log(`lag at ${fmt(achieved)} appends/s over ${seconds} s (${fmt(lags.length)} events): p50 ${q(0.5).toFixed(1)} ms, p99 ${q(0.99).toFixed(1)} ms, max ${(lags.at(-1) ?? NaN).toFixed(1)} ms`);
} finally {
  await store.close();
  await sql.close();
  await db?.drop();
}
