import t, { type Test } from 'tap';
import { computeEventHash, GENESIS_HASH } from '@gongguan/event-store';
import type { Sql, SqlExecutor } from '@gongguan/platform/db';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { verifyStore } from '../src/verify/verify-store.js';
import { appendStory, auditApp, PROJECT_ID } from './fixtures/story.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

/** As a superuser with the append-only triggers off, as an attacker with the database would. */
async function asSuperuser(sql: Sql, fn: (tx: SqlExecutor) => Promise<void>): Promise<void> {
  await sql.transaction(async (tx) => {
    await tx.query(`set local session_replication_role = replica`);
    await fn(tx);
  });
}

interface Row {
  id: string;
  stream: string;
  revision: number;
  tx: string;
}

async function rows(sql: SqlExecutor): Promise<Row[]> {
  const { rows } = await sql.query<{ id: string; stream: string; revision: number; tx: string }>(
    `select id::text as id, stream, revision::int as revision, tx::text as tx from event_store.events order by tx, seq`,
  );
  return rows;
}

/** A store with the story sealed under a tree head, then `tamper` done by hand; returns the verification. */
async function sealedThenTampered(t: Test, target: (typeof targets)[number], tamper: (sql: Sql, before: Row[]) => Promise<void>) {
  const db = await target();
  t.teardown(() => db.drop());
  const sql = await db.open();
  const { app, ctx, token } = await auditApp(t, sql);
  await appendStory(ctx.store);
  const sealed = await ctx.sealer.seal({ actorId: 'admin-1', actorRole: 'admin', correlationId: 'c' });
  t.ok(sealed.created);
  const clean = await verifyStore({ store: ctx.store, sql, keys: await ctx.keys.all(), logger: { info: () => undefined } });
  t.equal(clean.ok, true, 'the untouched store verifies');
  t.equal(clean.treeHeads.checked, 1);
  await tamper(sql, await rows(sql));
  const res = await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: { authorization: `Bearer ${await token('auditor')}` } });
  t.equal(res.statusCode, 200);
  const report = res.json();
  t.equal(report.ok, false, 'tampering is detected');
  return { report, app, token, sql };
}

for (const target of targets) {
  // Only for its name: dropped at once (a database made and not dropped outlives the run).
  const probe = await target();
  const name = probe.name;
  await probe.drop();

  t.test(`${name}: an altered event is named by its hash mismatch`, async (t) => {
    let victim!: Row;
    const { report, app, token } = await sealedThenTampered(t, target, async (sql, before) => {
      victim = before.filter((r) => r.stream === `project-${PROJECT_ID}`)[3]!;
      await asSuperuser(sql, (tx) => tx.query(`update event_store.events set data = replace(data::text, '"projectId":"p-pump-01"', '"projectId":"p-pump-02"')::json where id = $1`, [victim.id]).then(() => undefined));
    });
    t.match(report.firstBadEvent, { kind: 'hash-mismatch', eventId: victim.id, stream: victim.stream, revision: victim.revision });
    const stream = await app.inject({ method: 'GET', url: `/v1/audit/streams/${victim.stream}/verify`, headers: { authorization: `Bearer ${await token('auditor')}` } });
    t.match(stream.json(), { ok: false, firstBadEvent: { eventId: victim.id, revision: victim.revision, problem: 'hash-mismatch' } });
  });

  t.test(`${name}: a deleted event is named, even the last of its stream (no chain can see that)`, async (t) => {
    let victim!: Row;
    const { report, app, token } = await sealedThenTampered(t, target, async (sql, before) => {
      victim = before.filter((r) => r.stream === `project-${PROJECT_ID}`).at(-1)!;
      await asSuperuser(sql, (tx) => tx.query(`delete from event_store.events where id = $1`, [victim.id]).then(() => undefined));
    });
    t.match(report.firstBadEvent, { kind: 'not-as-sealed', eventId: victim.id });
    t.ok(report.problems.some((p: { kind: string }) => ['tree-head-mismatch', 'tree-head-size'].includes(p.kind)), 'the signed tree head no longer matches');
    const stream = await app.inject({ method: 'GET', url: `/v1/audit/streams/${victim.stream}/verify`, headers: { authorization: `Bearer ${await token('auditor')}` } });
    t.match(stream.json(), { ok: false, firstBadEvent: { eventId: victim.id, problem: 'missing' } });
  });

  t.test(`${name}: a deleted event in the middle of a stream is named by the gap`, async (t) => {
    let victim!: Row;
    const { report } = await sealedThenTampered(t, target, async (sql, before) => {
      victim = before.filter((r) => r.stream === `project-${PROJECT_ID}`)[2]!;
      await asSuperuser(sql, (tx) => tx.query(`delete from event_store.events where id = $1`, [victim.id]).then(() => undefined));
    });
    t.match(report.firstBadEvent, { kind: 'not-as-sealed', eventId: victim.id });
    t.ok(report.problems.some((p: { kind: string; stream: string }) => p.kind === 'revision-gap' && p.stream === victim.stream));
  });

  t.test(`${name}: an inserted event, correctly chained and hashed, is named`, async (t) => {
    const forged = { id: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b', stream: 'project-p-forged-99', revision: 0, type: 'ProjectSubmitted', schemaVersion: 2, data: { projectId: 'p-forged-99' }, metadata: { actorId: 'officer-li', actorRole: 'officer', correlationId: 'x', causationId: null, recordedAt: '2026-01-01T00:00:00.000000Z' }, prevHash: GENESIS_HASH };
    const { report } = await sealedThenTampered(t, target, async (sql, before) => {
      const early = before[1]!;
      await asSuperuser(sql, (tx) =>
        tx
          .query(
            `insert into event_store.events (tx, id, stream, revision, type, schema_version, data, metadata, recorded_at, prev_hash, hash)
             values ($1::text::xid8, $2, $3, 0, $4, $5, $6::json, $7::json, $8, $9, $10)`,
            [early.tx, forged.id, forged.stream, forged.type, forged.schemaVersion, JSON.stringify(forged.data), JSON.stringify(forged.metadata), forged.metadata.recordedAt, forged.prevHash, computeEventHash(forged)],
          )
          .then(() => undefined),
      );
    });
    t.equal(report.firstBadEvent.kind, 'not-as-sealed');
    t.match(report.firstBadEvent.actual, forged.id, 'the forged event is the one found where another was sealed');
    t.equal(report.firstBadEvent.index, 2);
  });

  t.test(`${name}: two events swapped in the global order are named`, async (t) => {
    let a!: Row;
    let b!: Row;
    const { report } = await sealedThenTampered(t, target, async (sql, before) => {
      a = before.find((r) => r.stream === 'project-p-other-02')!;
      b = before.find((r) => r.stream.startsWith('subsidy-'))!;
      await asSuperuser(sql, async (tx) => {
        await tx.query(`update event_store.events set tx = $1::text::xid8 where id = $2`, [b.tx, a.id]);
        await tx.query(`update event_store.events set tx = $1::text::xid8 where id = $2`, [a.tx, b.id]);
      });
    });
    t.match(report.firstBadEvent, { kind: 'not-as-sealed', eventId: a.id });
    t.match(report.firstBadEvent.actual, b.id);
  });
}
