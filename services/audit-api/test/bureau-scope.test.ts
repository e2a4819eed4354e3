import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { BUREAU_REGISTRY_STREAM, bureauRegistry, currentSchemaVersion, programme as programmes, type BureauCommand, type ProgrammeCommand } from '@gongguan/domain';
import type { EventStore, EventToAppend, RecordedEvent } from '@gongguan/event-store';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { appendEach, appendStory, auditApp, PROJECT_ID, toAppend } from './fixtures/story.js';
import { codes, officer } from '../../../packages/domain/test/fixtures/fixtures.js';
import { programme as pumpProgramme } from '../../../packages/domain/test/fixtures/project-story.js';

/**
 * Bureaus against each other (issue 18): the legacy city 331000 (the story, recorded before bureaus:
 * no bureauCode), a second city 330100, a county 331002 under 331000, and their province 330000.
 * Each bureau's history is the story's, renamed, with its bureau on the first event of its project
 * and programme, on its own ledger `subsidy-<bureau>-<credit code>-<year>`.
 */
const VERIFIER = new URL('../../../scripts/verify-bundle.mjs', import.meta.url).pathname;
const LEGACY = '331000';
const CITY2 = '330100';
const COUNTY = '331002';
const PROVINCE = '330000';
const LEDGER = (bureau: string) => (bureau === LEGACY ? `subsidy-${codes.lead}-2019` : `subsidy-${bureau}-${codes.lead}-2019`);

interface Resources {
  bureau: string;
  project: string;
  programme: string;
  disbursement: string;
  ledger: string;
  bankReferences: string[];
}
const ids = (bureau: string): Resources =>
  bureau === LEGACY
    ? { bureau, project: PROJECT_ID, programme: 'tz-2018', disbursement: 'r2-pay1', ledger: LEDGER(bureau), bankReferences: ['bank-reference-ICBC-2019-0001'] }
    : {
        bureau,
        project: `p-pump-${bureau}`,
        programme: `prog-${bureau}`,
        disbursement: `r2-pay1-${bureau}`,
        ledger: LEDGER(bureau),
        bankReferences: [`bank-reference-ICBC-2019-${bureau}`, `bank-reference-BOC-2019-${bureau}`],
      };

/** Who sees whom: a bureau sees itself and what lies below it. */
const sees: Record<string, string[]> = { [PROVINCE]: [LEGACY, CITY2, COUNTY], [LEGACY]: [LEGACY, COUNTY], [CITY2]: [CITY2], [COUNTY]: [COUNTY] };

const launch = (programmeId: string, bureauCode: string): ProgrammeCommand => ({
  type: 'LaunchProgramme',
  actor: officer,
  at: '2018-04-20T10:00:00+08:00',
  data: { programmeId, name: `Programme ${programmeId}`, bureau: 'S&T Bureau', bureauCode, quota: 10, focusIndustries: [...pumpProgramme.focusIndustries], policy: pumpProgramme.policy },
});

const raw = (type: string, data: Record<string, unknown>, actorRole = 'officer'): Appendable => ({
  id: randomUUID(),
  type,
  schemaVersion: 1,
  data: { by: { id: 'someone', role: actorRole }, at: '2019-10-09T10:00:00+08:00', ...data },
  metadata: { actorId: 'someone', actorRole, correlationId: 'corr-bureaus' },
});

/** A stored event again as something to append, renamed for `bureau`, its id new. */
type Appendable = EventToAppend & { data: Record<string, unknown> };
function renamed(e: RecordedEvent, rename: (text: string) => string): Appendable {
  const { actorId, actorRole, correlationId, effectiveDate, reason } = e.metadata;
  return {
    id: randomUUID(),
    type: e.type,
    schemaVersion: e.schemaVersion,
    data: JSON.parse(rename(JSON.stringify(e.data))) as Record<string, unknown>,
    metadata: { actorId, actorRole, correlationId, ...(effectiveDate ? { effectiveDate } : {}), ...(reason ? { reason } : {}) },
  };
}

/** The legacy story, and the same story recorded by `bureau` (its bureau on the events that start its project and programme). */
async function appendBureauStory(store: EventStore, bureau: string, legacyEvents: RecordedEvent[]): Promise<void> {
  const r = ids(bureau);
  const rename = (text: string) =>
    text
      .replaceAll(PROJECT_ID, r.project)
      .replaceAll('"tz-2018"', JSON.stringify(r.programme))
      .replaceAll('ICBC-2019-0001', `ICBC-2019-${bureau}`)
      .replaceAll('BOC-2019-5550', `BOC-2019-${bureau}`)
      .replaceAll('"r2-pay1"', JSON.stringify(r.disbursement))
      .replaceAll(JSON.stringify(LEDGER(LEGACY)), JSON.stringify(r.ledger));
  const of = (stream: string) => legacyEvents.filter((e) => e.stream === stream);
  const programmeEvents = programmes.decider.decide(launch(r.programme, bureau), programmes.decider.initialState).map((e) => toAppend(e));
  await store.append(programmes.streamName(r.programme), programmeEvents, { expectedRevision: 'no_stream' });
  // The project is its programme's bureau's (ProjectSubmitted v4 carries it).
  const projectEvents = of(`project-${PROJECT_ID}`).map((e) => renamed(e, rename));
  projectEvents[0]!.data.bureauCode = bureau;
  await store.append(`project-${r.project}`, projectEvents, { expectedRevision: 'no_stream' });
  // The bureau's own ledger (R2LedgerOpened v2 under its bureau): the assessment of its project's payment and the claim of its disbursement.
  const ledger = of(LEDGER(LEGACY)).map((e) => renamed(e, rename));
  ledger[0]!.data.bureauCode = bureau;
  await store.append(r.ledger, ledger, { expectedRevision: 'no_stream' });
  // Its disbursement pays the payment's R2 entitlement on that ledger: the reference names the bureau.
  const disbursementEvents = of('disbursement-r2-pay1').map((e) => renamed(e, rename));
  disbursementEvents[0]!.data.entitlement = { ...(disbursementEvents[0]!.data.entitlement as object), bureauCode: bureau };
  await store.append(`disbursement-${r.disbursement}`, disbursementEvents, { expectedRevision: 'no_stream' });
  // Bank references: one claimed by the contract payment `<project>.<payment>`, one by the disbursement.
  await store.append(r.bankReferences[0]!, [raw('BankReferenceClaimed', { bankReference: `ICBC-2019-${bureau}`, claimant: { kind: 'contract_payment', id: `${r.project}.pay1` } })], { expectedRevision: 'no_stream' });
  await store.append(r.bankReferences[1]!, [raw('BankReferenceClaimed', { bankReference: `BOC-2019-${bureau}`, claimant: { kind: 'disbursement', id: r.disbursement } }, 'finance')], { expectedRevision: 'no_stream' });
}

/** A problem body without what differs between two requests (its request id; the id asked about). */
const normalised = (body: Record<string, unknown>, id: string) => JSON.parse(JSON.stringify({ ...body, requestId: undefined }).replaceAll(id, '<id>'));

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  const db = await target();
  t.teardown(() => db.drop());
  t.test(`bureaus: each auditor reads its own subtree, and another's ids answer as ids that do not exist (${db.name})`, async (t) => {
    const sql = await db.open();
    const { app, store, token } = await auditApp(t, sql);
    await appendStory(store);
    await store.append(programmes.streamName('tz-2018'), programmes.decider.decide(launch('tz-2018', LEGACY), programmes.decider.initialState).map((e) => toAppend(e)), { expectedRevision: 'no_stream' });
    const legacyEvents = (await store.readAll({ limit: 10_000 })).events;
    for (const bureau of [CITY2, COUNTY]) await appendBureauStory(store, bureau, legacyEvents);
    // A county project whose payment names the legacy city's bank reference: its closure leaves the county.
    await store.append('project-p-cross-331002', [
      { ...raw('ProjectSubmitted', { projectId: 'p-cross-331002', bureauCode: COUNTY, programmeId: 'prog-cross' }), schemaVersion: currentSchemaVersion.ProjectSubmitted },
      raw('ContractPaymentConfirmed', { paymentId: 'pay9', contractId: 'c9', enterpriseCreditCode: codes.lead, paidOn: '2019-10-08', amount: 1, bankReference: 'ICBC-2019-0001' }, 'finance'),
    ], { expectedRevision: 'no_stream' });

    const admin = { authorization: `Bearer ${await token('admin', PROVINCE)}` };
    t.equal((await app.inject({ method: 'POST', url: '/v1/audit/tree-heads', headers: admin, payload: {} })).statusCode, 201, 'sealed');
    const auditors: Record<string, { authorization: string }> = {};
    for (const bureau of [PROVINCE, LEGACY, CITY2, COUNTY]) auditors[bureau] = { authorization: `Bearer ${await token('auditor', bureau)}` };
    const legacyDefault = { authorization: `Bearer ${await token('auditor')}` };
    const get = (url: string, headers: { authorization: string }) => app.inject({ method: 'GET', url, headers });

    /** Every read that names a resource of bureau `r`: the URL, and how to name a resource that does not exist instead. */
    const reads = async (r: Resources) => {
      const firstOf = async (stream: string) => (await store.readStream(stream, { limit: 1 }))[0]!;
      const projectEvent = await firstOf(`project-${r.project}`);
      const ledgerEvent = await firstOf(r.ledger);
      const missingEvent = randomUUID();
      return [
        { url: `/v1/audit/streams/project-${r.project}/events`, id: `project-${r.project}`, missing: 'project-p-never' },
        { url: `/v1/audit/streams/${r.ledger}/events`, id: r.ledger, missing: `subsidy-${codes.partner}-1999` },
        ...r.bankReferences.map((s) => ({ url: `/v1/audit/streams/${s}/events`, id: s, missing: 'bank-reference-NEVER-0000' })),
        { url: `/v1/audit/streams/disbursement-${r.disbursement}/events`, id: `disbursement-${r.disbursement}`, missing: 'disbursement-never' },
        { url: `/v1/audit/streams/programme-${r.programme}/events`, id: `programme-${r.programme}`, missing: 'programme-never' },
        { url: `/v1/audit/projects/${r.project}/history`, id: r.project, missing: 'p-never' },
        { url: `/v1/audit/projects/${r.project}/state`, id: r.project, missing: 'p-never', bureauCode: r.bureau },
        { url: `/v1/audit/projects/${r.project}/diff?from=0`, id: r.project, missing: 'p-never' },
        { url: `/v1/audit/programmes/${r.programme}/state`, id: r.programme, missing: 'prog-never', bureauCode: r.bureau },
        { url: `/v1/audit/programmes/${r.programme}/diff?from=0`, id: r.programme, missing: 'prog-never' },
        { url: `/v1/audit/disbursements/${r.disbursement}/state`, id: r.disbursement, missing: 'd-never' },
        { url: `/v1/audit/disbursements/${r.disbursement}/diff?from=0`, id: r.disbursement, missing: 'd-never' },
        { url: `/v1/audit/streams/project-${r.project}/verify`, id: `project-${r.project}`, missing: 'project-p-never' },
        { url: `/v1/audit/streams/${r.ledger}/head`, id: r.ledger, missing: `subsidy-${codes.partner}-1999` },
        { url: `/v1/audit/events/${projectEvent.id}/tlog-proof`, id: projectEvent.id, missing: missingEvent },
        { url: `/v1/audit/events/${ledgerEvent.id}/inclusion`, id: ledgerEvent.id, missing: missingEvent },
        { url: `/v1/audit/projects/${r.project}/bundle`, id: r.project, missing: 'p-never' },
        { url: `/v1/audit/programmes/${r.programme}/bundle`, id: r.programme, missing: 'prog-never' },
        { url: `/v1/audit/ledgers/${r.ledger}/bundle`, id: r.ledger, missing: `subsidy-${codes.partner}-1999` },
      ];
    };

    for (const owner of [LEGACY, CITY2, COUNTY]) {
      const r = ids(owner);
      for (const read of await reads(r)) {
        for (const [caller, headers] of Object.entries(auditors)) {
          const res = await get(read.url, headers);
          if (sees[caller]!.includes(owner)) {
            t.equal(res.statusCode, 200, `${caller} reads ${owner}'s ${read.url} → ${res.body.slice(0, 200)}`);
            // The replayed project and programme are the owner's, as the domain reads them (the legacy story by its upcasters).
            if ('bureauCode' in read) t.equal(res.json().state?.bureauCode, read.bureauCode, `${caller}: ${read.url} replays as ${owner}'s`);
          } else {
            t.equal(res.statusCode, 404, `${caller} does not see ${owner}'s ${read.url}`);
            const missing = await get(read.url.replace(read.id, read.missing), headers);
            t.equal(missing.statusCode, 404, `${read.url.replace(read.id, read.missing)} does not exist`);
            t.same(normalised(res.json(), read.id), normalised(missing.json(), read.missing), `${caller}: ${owner}'s ${read.url} answers as an id that does not exist`);
            t.equal(res.json().code, 'NOT_FOUND');
          }
        }
      }
      // A token without a bureau is the legacy city's.
      t.equal((await get(`/v1/audit/projects/${r.project}/history`, legacyDefault)).statusCode, sees[LEGACY]!.includes(owner) ? 200 : 404, `a token without a bureau reads as ${LEGACY}: ${owner}`);
    }

    t.test('a bundle or history whose closure leaves the subtree is refused, naming nothing outside', async (t) => {
      for (const url of ['/v1/audit/projects/p-cross-331002/bundle', '/v1/audit/projects/p-cross-331002/history']) {
        const county = await get(url, auditors[COUNTY]!);
        t.equal(county.statusCode, 403, `${url}: the county may see the project, not the legacy city's bank reference its payment names`);
        t.equal(county.json().code, 'OUTSIDE_BUREAU');
        t.notOk(county.body.includes('ICBC-2019-0001'), 'the stream outside is not named');
        for (const above of [LEGACY, PROVINCE]) t.equal((await get(url, auditors[above]!)).statusCode, 200, `${url}: ${above} sees both`);
        t.equal((await get(url, auditors[CITY2]!)).statusCode, 404, `${url}: another city does not see the project`);
      }
      const bundle = (await get('/v1/audit/projects/p-cross-331002/bundle', auditors[LEGACY]!)).json();
      t.ok(bundle.files['stream-heads.ndjson'].includes('"bank-reference-ICBC-2019-0001"'), 'above both, the bank reference is carried');
      t.ok(bundle.files['stream-heads.ndjson'].includes(`"${LEDGER(COUNTY)}"`), "the payment's ledger is the county's own, by the project's bureau");
      t.notOk(bundle.files['stream-heads.ndjson'].includes(`"${LEDGER(LEGACY)}"`), "the legacy city's ledger of the same enterprise-year is not the county's");
    });

    t.test("each bundle carries only its bureau's streams", async (t) => {
      for (const owner of [CITY2, COUNTY]) {
        const r = ids(owner);
        const bundle = (await get(`/v1/audit/programmes/${r.programme}/bundle`, auditors[owner]!)).json();
        const streams = bundle.files['stream-heads.ndjson'].trim().split('\n').map((l: string) => JSON.parse(l).stream).sort();
        t.same(streams, [`disbursement-${r.disbursement}`, `programme-${r.programme}`, `project-${r.project}`, r.ledger, ...r.bankReferences].sort(), `${owner}'s programme bundle`);
        t.notOk(bundle.files['tree-head.json'].includes(r.programme), 'nothing sealed names it');
        // The standalone verifier applies the same closure, with the same bureau-named ledgers.
        const dir = mkdtempSync(join(tmpdir(), 'gongguan-bureau-bundle-'));
        t.teardown(() => rmSync(dir, { recursive: true, force: true }));
        for (const [name, text] of Object.entries(bundle.files as Record<string, string>)) writeFileSync(join(dir, name), text);
        const out = spawnSync(process.execPath, [VERIFIER, dir], { encoding: 'utf8' });
        t.match(out.stdout, /closure: (\d+) stream\(s\) named by the carried events, \1 carried/, `${owner}: closed (${out.stdout.split('\n').find((l) => l.includes('closure')) ?? out.stderr})`);
        t.notMatch(out.stdout + out.stderr, /not closed|does not carry/);
      }
    });

    t.test("a city's annual work summary is the city's (and its province's) to audit", async (t) => {
      const stream = `annual-summary-${CITY2}-2026`;
      await store.append(stream, [raw('AnnualSummarySubmitted', { bureauCode: CITY2, year: 2026, title: '年度工作总结', summary: '…', submittedOn: '2027-01-10', dueOn: '2027-01-15', late: false })], { expectedRevision: 'no_stream' });
      t.equal((await get(`/v1/audit/streams/${stream}/events`, auditors[CITY2]!)).statusCode, 200, 'the city');
      t.equal((await get(`/v1/audit/streams/${stream}/events`, auditors[PROVINCE]!)).statusCode, 200, 'the province');
      t.equal((await get(`/v1/audit/streams/${stream}/events`, auditors[LEGACY]!)).statusCode, 404, 'another city');
      t.equal((await get(`/v1/audit/streams/${stream}/events`, auditors[COUNTY]!)).statusCode, 404, 'a county elsewhere');
    });

    t.test('whole-log routes: tree heads and proofs of consistency for every auditor; verification names only what the caller sees', async (t) => {
      // The log grows, and an export seals it again.
      await store.append(`project-${ids(CITY2).project}`, [raw('ProjectNoteAdded', { note: 'grown' })], { expectedRevision: 'any' });
      t.equal((await get(`/v1/audit/projects/${ids(CITY2).project}/bundle`, auditors[CITY2]!)).statusCode, 200, 'exported');
      for (const [caller, headers] of Object.entries(auditors)) {
        t.equal((await get('/v1/audit/tree-heads', headers)).statusCode, 200, `${caller}: tree heads`);
        t.equal((await get('/v1/audit/tree-heads/latest', headers)).statusCode, 200, `${caller}: latest head`);
        const verified = await get('/v1/audit/verify', headers);
        t.equal(verified.statusCode, 200, `${caller}: whole-store verification`);
        t.match(verified.json(), { ok: true, problemCount: 0, problemsOutsideBureau: 0 });
        t.equal((await get('/v1/audit/streams/audit-tree-heads/events', headers)).statusCode, 200, `${caller}: the log's own bookkeeping is shared`);
      }
      const heads = (await get('/v1/audit/tree-heads?limit=1000', auditors[COUNTY]!)).json().treeHeads as Array<{ treeSize: number }>;
      t.ok(heads.length >= 2);
      t.equal((await get(`/v1/audit/tree-heads/consistency?from=${heads[0]!.treeSize}&to=${heads.at(-1)!.treeSize}`, auditors[COUNTY]!)).statusCode, 200, 'consistency');
      const reasons = (await get('/v1/audit/streams/audit-tree-heads/events?limit=1000', auditors[COUNTY]!)).json().events.map((e: { metadata: { reason?: string } }) => e.metadata.reason ?? '');
      t.ok(reasons.includes('bundle export: project'), 'an export seal names the kind');
      t.notOk(reasons.some((reason: string) => /p-pump|prog-|subsidy-/.test(reason)), "and no bureau's ids");
    });

    t.test("the registry places bureaus: registered as derived changes nothing, an explicit parent moves a bureau, a merged bureau's records are the survivor's", async (t) => {
      const admin = { id: 'admin-1', role: 'admin' as const };
      let registryState = bureauRegistry.decider.initialState;
      const command = async (type: BureauCommand['type'], data: Record<string, unknown>) => {
        const events = bureauRegistry.decider.decide({ type, actor: admin, at: '2020-01-02T10:00:00+08:00', data } as BureauCommand, registryState);
        registryState = events.reduce(bureauRegistry.decider.evolve, registryState);
        await appendEach(store, BUREAU_REGISTRY_STREAM, events);
      };
      for (const [code, name] of [[PROVINCE, '浙江省科学技术厅'], [LEGACY, '台州市科学技术局'], [CITY2, '杭州市科学技术局'], [COUNTY, '台州市椒江区科学技术局']] as const) await command('RegisterBureau', { code, name });
      const history = (r: Resources) => `/v1/audit/projects/${r.project}/history`;
      const status = async (url: string, caller: string) => (await get(url, auditors[caller] ?? { authorization: `Bearer ${await token('auditor', caller)}` })).statusCode;
      for (const owner of [LEGACY, CITY2, COUNTY]) {
        for (const caller of [PROVINCE, LEGACY, CITY2, COUNTY]) t.equal(await status(history(ids(owner)), caller), sees[caller]!.includes(owner) ? 200 : 404, `registered where the codes say: ${caller} on ${owner}'s project`);
      }
      for (const caller of [PROVINCE, COUNTY]) t.equal(await status(`/v1/audit/streams/${BUREAU_REGISTRY_STREAM}/events`, caller), 200, `${caller} reads the registry (shared)`);

      // A county-level city registered directly under the province (its code alone would put it under 331000).
      const LEVEL_CITY = '331081';
      await command('RegisterBureau', { code: LEVEL_CITY, name: '温岭市科学技术局', parentCode: PROVINCE });
      await appendBureauStory(store, LEVEL_CITY, legacyEvents);
      t.equal(await status(history(ids(LEVEL_CITY)), LEVEL_CITY), 200, 'the county-level city reads its own');
      t.equal(await status(history(ids(LEVEL_CITY)), PROVINCE), 200, 'its province reads it');
      t.equal(await status(history(ids(LEVEL_CITY)), LEGACY), 404, 'the city its code names is not above it: the registry, not the code, places it');

      // The domain refuses a merge of a bureau that has bureaus under it, so a merge moves no subtree, only the bureau's own records.
      t.throws(() => bureauRegistry.decider.decide({ type: 'MergeBureau', actor: admin, at: '2020-02-01T10:00:00+08:00', data: { code: LEGACY, into: CITY2 } }, registryState), { code: 'BUREAU_HAS_CHILDREN' });
      await command('MergeBureau', { code: CITY2, into: LEGACY });
      const merged = ids(CITY2);
      // (Its project's state would not replay: the log grew above by an event of no domain type.)
      for (const url of [history(merged), `/v1/audit/programmes/${merged.programme}/state`, `/v1/audit/programmes/${merged.programme}/bundle`, `/v1/audit/ledgers/${merged.ledger}/bundle`, `/v1/audit/streams/disbursement-${merged.disbursement}/events`]) {
        t.equal(await status(url, LEGACY), 200, `after the merge the survivor reads ${url}`);
        t.equal(await status(url, CITY2), 200, `the merged bureau still reads its own ${url}`);
        t.equal(await status(url, PROVINCE), 200, `and so does the province: ${url}`);
        t.equal(await status(url, COUNTY), 404, `a county under the survivor does not: ${url}`);
      }
      t.equal(await status(history(ids(LEGACY)), CITY2), 404, 'the merged bureau does not see the survivor');
      const verified = await get('/v1/audit/verify', auditors[LEGACY]!);
      t.match(verified.json(), { ok: true, problemCount: 0 }, 'the store with its registry verifies');
    });
  });
}
