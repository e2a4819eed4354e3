/**
 * `pnpm bench:store`: the event store against a raw-SQL baseline on the same database, same run.
 * DATABASE_URL picks PostgreSQL (a fresh database is created next to it and dropped after);
 * otherwise an in-memory PGlite. BENCH_SCALE (default 1) multiplies the amounts of work.
 * Each scenario runs ROUNDS times, alternating store and raw so that load from elsewhere on the
 * machine hits both alike; the median of each is reported.
 */
import { randomUUID } from 'node:crypto';
import { openPglite, type Sql } from '@gongguan/platform/db';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { createSqlEventStore, START_POSITION, type EventStore, type EventToAppend } from '../src/index.js';

const url = process.env.DATABASE_URL;
const scale = Number(process.env.BENCH_SCALE ?? '1');
const n = (count: number): number => Math.max(1, Math.round(count * scale));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function rounds(scenario: () => Promise<Row>): Promise<Row> {
  const results: Row[] = [];
  for (let i = 0; i < ROUNDS; i++) results.push(await scenario());
  const first = results[0];
  if (!first) throw new Error('no rounds');
  return { ...first, store: median(results.map((r) => r.store)), raw: median(results.map((r) => r.raw)) };
}

function event(i: number): EventToAppend {
  return {
    id: randomUUID(),
    type: 'ProjectBudgetRevised',
    schemaVersion: 1,
    data: { projectId: 'P-2026-000123', line: i, amountFen: '12345600', currency: 'CNY', note: 'quarterly revision of the approved budget' },
    metadata: { actorId: 'officer-17', actorRole: 'officer', correlationId: randomUUID(), reason: 'benchmark' },
  };
}

const RAW_TABLE = `create table bench_raw_events (
  seq bigserial primary key, id uuid not null, stream text not null, revision bigint not null, type text not null,
  schema_version integer not null, data json not null, metadata json not null, recorded_at timestamptz not null default now())`;
const RAW_INSERT = `insert into bench_raw_events (id, stream, revision, type, schema_version, data, metadata)
  select * from unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::int[], $6::json[], $7::json[])`;
const RAW_SELECT = `select id::text as id, stream, revision::float8 as revision, type, schema_version, data, metadata, seq::text as after
  from bench_raw_events where seq > $1 order by bench_raw_events.seq limit $2`;

async function rawInsert(sql: Sql, stream: string, firstRevision: number, batch: readonly EventToAppend[]): Promise<void> {
  await sql.query(RAW_INSERT, [
    batch.map((e) => e.id),
    batch.map(() => stream),
    batch.map((_, i) => firstRevision + i),
    batch.map((e) => e.type),
    batch.map((e) => e.schemaVersion),
    batch.map((e) => JSON.stringify(e.data)),
    batch.map((e) => JSON.stringify(e.metadata)),
  ]);
}

/** Runs `total` operations split over `writers` concurrent loops; returns operations per second. */
async function rate(writers: number, total: number, op: (writer: number, k: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let k = 0; next < total; k++) {
        next++;
        await op(w, k);
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

interface Row {
  name: string;
  store: number;
  raw: number;
  unit: string;
}

async function appendScenario(store: EventStore, sql: Sql, writers: number, ops: number, batchSize: number, label = ''): Promise<Row> {
  const run = `r${randomUUID().slice(0, 6)}`;
  const revisions = new Map<string, number>();
  const storeRate = await rate(writers, ops, async (w, k) => {
    const stream = `bench-${run}w${w}s${k % 8}`;
    const batch = Array.from({ length: batchSize }, (_, i) => event(i));
    const expectedRevision = revisions.get(stream) ?? 'no_stream';
    revisions.set(stream, (await store.append(stream, batch, { expectedRevision })).nextRevision);
  });
  const rawRate = await rate(writers, ops, async (w, k) => {
    await rawInsert(sql, `bench-${run}w${w}s${k % 8}`, k * batchSize, Array.from({ length: batchSize }, (_, i) => event(i)));
  });
  const name = batchSize === 1 ? `single-event appends, ${writers} writer${writers > 1 ? 's' : ''}` : `batches of ${batchSize}, ${writers} writer${writers > 1 ? 's' : ''}`;
  return { name: name + label, store: storeRate * batchSize, raw: rawRate * batchSize, unit: 'events/s' };
}

async function readScenario(store: EventStore, sql: Sql, pageSize: number): Promise<Row> {
  let count = 0;
  let started = performance.now();
  for (let after = START_POSITION; ; ) {
    const page = await store.readAll({ after, limit: pageSize });
    count += page.events.length;
    after = page.position;
    if (page.caughtUp) break;
  }
  const storeRate = count / ((performance.now() - started) / 1000);
  let rawCount = 0;
  started = performance.now();
  for (let after = '0'; ; ) {
    const { rows } = await sql.query<{ after: string }>(RAW_SELECT, [after, pageSize]);
    rawCount += rows.length;
    const last = rows[rows.length - 1];
    if (!last || rows.length < pageSize) break;
    after = last.after;
  }
  const rawRate = rawCount / ((performance.now() - started) / 1000);
  return { name: `readAll, pages of ${pageSize} (${count} store / ${rawCount} raw events)`, store: storeRate, raw: rawRate, unit: 'events/s' };
}

async function main(): Promise<void> {
  const database = url ? await createPostgresDatabase(url) : undefined;
  const sql = database ? await database.open() : await openPglite(undefined);
  try {
    const version = (await sql.query<{ v: string }>('select version() as v')).rows[0]?.v ?? '?';
    console.log(`# ${sql.kind}: ${version.split(' on ')[0]}; node ${process.version}; scale ${scale}`);
    const store = await createSqlEventStore({ sql });
    await sql.exec(RAW_TABLE);
    // Warm up both paths (connections, plans, caches) before measuring.
    await appendScenario(store, sql, 4, 200, 1);
    const rows: Row[] = [];
    const pg = sql.kind === 'postgres';
    rows.push(await rounds(() => appendScenario(store, sql, 1, n(pg ? 600 : 1500), 1)));
    rows.push(await rounds(() => appendScenario(store, sql, 16, n(pg ? 3000 : 1500), 1)));
    // The same, each append its own statement and commit: what group commit buys.
    const ungrouped = await createSqlEventStore({ sql, migrate: false, groupCommit: false });
    rows.push(await rounds(() => appendScenario(ungrouped, sql, 16, n(pg ? 3000 : 1500), 1, ', group commit off')));
    await ungrouped.close();
    rows.push(await rounds(() => appendScenario(store, sql, 1, n(pg ? 100 : 50), 100)));
    rows.push(await rounds(() => appendScenario(store, sql, 16, n(pg ? 200 : 50), 100)));
    // Fresh statistics for both tables, so neither read is planned from an empty-table guess.
    await sql.exec('analyze event_store.events; analyze bench_raw_events');
    rows.push(await rounds(() => readScenario(store, sql, 1000)));
    rows.push(await rounds(() => readScenario(store, sql, 5000)));
    console.log('\n| scenario | event store | raw SQL | ratio |\n|---|---:|---:|---:|');
    for (const r of rows) {
      console.log(`| ${r.name} | ${Math.round(r.store).toLocaleString('en')} ${r.unit} | ${Math.round(r.raw).toLocaleString('en')} ${r.unit} | ${(r.store / r.raw).toFixed(2)} |`);
    }
    await store.close();
  } finally {
    if (database) await database.drop();
    else await sql.close();
  }
}

await main();
