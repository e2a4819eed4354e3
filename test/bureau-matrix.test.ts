import { randomBytes } from 'node:crypto';
import t from 'tap';
import { roles as allRoles, type Role, type ServiceMount } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { allInOne } from '../scripts/all-in-one.js';
import { caller } from './support/api.js';
import { CODES } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

/**
 * Issue 18, item 7: the bureau authorisation matrix. A province, two cities and a county under
 * each, every one with its own programme, project, money (R1, R2, R3), ledgers and audit streams,
 * made through the public HTTP API; then every route of /openapi.json, generated from it:
 *
 * - every GET naming a resource: each caller bureau × each owner bureau × the roles that may read
 *   it — inside the caller's subtree 200, outside 404 with the very body of an id that does not exist;
 * - every GET list: nothing of a bureau outside the caller's subtree (its ids, its codes, a
 *   `bureauCode`/`bureau_path` field outside), and everything of its subtree the province sees;
 * - every command: each caller bureau that is not the owner (nor the county that may recommend)
 *   is refused — 403 BUREAU_FORBIDDEN above the owner, else 404 with the body of a missing id —
 *   and the store does not grow; the owner passes the bureau check (its If-Match is stale: 412);
 * - SQL on the `reporting.*` views as a role of `reporting.create_bureau_role` sees its subtree's rows.
 *
 * A route added to /openapi.json with a parameter this file cannot bind to a bureau's resource
 * fails the test, unless it is in `excluded` with its reason.
 */

interface Bureau {
  k: string;
  code: string;
  path: string;
  name: string;
}
const BUREAUS: Bureau[] = [
  { k: 'zj', code: '330000', path: '330000', name: '浙江省科学技术厅' },
  { k: 'tz', code: '331000', path: '330000.331000', name: '台州市科学技术局' },
  { k: 'hz', code: '330100', path: '330000.330100', name: '杭州市科学技术局' },
  { k: 'jj', code: '331002', path: '330000.331000.331002', name: '椒江区科学技术局' },
  { k: 'sc', code: '330102', path: '330000.330100.330102', name: '上城区科学技术局' },
];
/** The county that recommends each city's project (its proposal names the county bureau). */
const COUNTY_OF: Record<string, string> = { tz: 'jj', hz: 'sc' };
const CITIES = new Set(['tz', 'hz']);
/** A bureau code no bureau of the matrix has, nor is above: an id that does not exist. */
const NO_BUREAU = '340000';
const LEAD = CODES.lead;
const INSTITUTION = CODES.university;
const YEAR = 2024;

const within = (owner: Bureau, of: Bureau) => owner.path === of.path || owner.path.startsWith(`${of.path}.`);
const pathWithin = (path: string, of: Bureau) => path === of.path || path.startsWith(`${of.path}.`);
const byCode = (code: string) => BUREAUS.find((b) => b.code === code);
/** A ledger's stream by the domain's naming rule: the legacy bureau 331000 keeps the name without its code. */
const ledgerStream = (kind: 'subsidy' | 'r3', code: string, credit: string, year: number) => (code === '331000' ? `${kind}-${credit}-${year}` : `${kind}-${code}-${credit}-${year}`);

/** Operations of /openapi.json under /v1 that name no bureau's resource, and why. */
const excluded: Record<string, string> = {
  'POST /v1/projections/rebuild': "operations: rebuilds every read model from the event log; appends no event and names no bureau's resource",
  'POST /v1/audit/tree-heads': 'operations: seals the whole log (shared by every bureau: heads carry sizes and roots, no ids)',
  'POST /v1/audit/checkpoints/{treeSize}/cosignatures': "public: a witness's cosignature of the whole log's checkpoint",
  'GET /v1/audit/checkpoints/{treeSize}': "public: the whole log's checkpoint at a size",
  'GET /v1/audit/checkpoints/{treeSize}/consistency': "public: a proof between two of the whole log's checkpoints",
  'GET /v1/audit/checkpoints/{treeSize}/cosignatures': "public: witnesses' cosignatures of the whole log's checkpoint",
  'GET /v1/audit/checkpoint': "public: the whole log's latest checkpoint",
  'GET /v1/audit/public-key': "public: the log's signing key",
  'GET /v1/audit/public-keys': "public: the log's signing keys",
  'POST /v1/imports': "names no resource: each row of the file runs its own command route's bureau check, as the importer's bureau (test/import.test.ts: a review of another bureau's project in a file is refused as the review route refuses it)",
  'GET /v1/imports/{importId}': "an import id is a hash of the bureau and the file; another bureau's import answers 404 like one that does not exist (test/import.test.ts)",
};

/** Query parameters a route requires, by name. */
const requiredQuery: Record<string, string> = { year: String(YEAR), quarter: '3', from: '0' };

interface Owned {
  b: Bureau;
  programme: string;
  project: string;
  contract: string;
  payment: string;
  transaction: string;
  disbursements: string[];
  bankReferences: string[];
  r2Ledger: string;
  r3Ledger: string;
  streams: string[];
  events: string[];
  /** Every id of this bureau that no other bureau's answer may name. */
  markers: string[];
}

function owned(b: Bureau): Owned {
  const project = `mx-prj-${b.k}`;
  const r2Ledger = ledgerStream('subsidy', b.code, LEAD, YEAR);
  const r3Ledger = ledgerStream('r3', b.code, INSTITUTION, YEAR);
  const disbursements = [`r1-${project}`, `mx-r2-${b.k}`, `mx-r3-${b.k}`];
  // Bank references are kept upper case (the domain normalises them).
  const bankReferences = ['R1', 'BANK', 'R2', 'R3'].map((kind) => `MX-${kind}-${b.k.toUpperCase()}`);
  const programme = `mx-prog-${b.k}`;
  return {
    b,
    programme,
    project,
    contract: `mx-c-${b.k}`,
    payment: `mx-pay-${b.k}`,
    transaction: `mx-t-${b.k}`,
    disbursements,
    bankReferences,
    r2Ledger,
    r3Ledger,
    streams: [
      `programme-${programme}`,
      `project-${project}`,
      ...disbursements.map((d) => `disbursement-${d}`),
      ...bankReferences.map((r) => `bank-reference-${r}`),
      r2Ledger,
      r3Ledger,
      ...(CITIES.has(b.k) ? [`annual-summary-${b.code}-${YEAR}`] : []),
    ],
    events: [],
    markers: [programme, project, `mx-c-${b.k}`, `mx-pay-${b.k}`, `mx-t-${b.k}`, ...disbursements, ...bankReferences, ...(b.code === '331000' ? [] : [r2Ledger, r3Ledger])],
  };
}

/** The id a missing resource of the same kind has, for a caller of bureau `of`. */
function missingStream(stream: string, of: Bureau): string {
  if (stream.startsWith('subsidy-')) return ledgerStream('subsidy', of.code, LEAD, YEAR - 1);
  if (stream.startsWith('r3-')) return ledgerStream('r3', of.code, INSTITUTION, YEAR - 1);
  if (stream.startsWith('annual-summary-')) return `annual-summary-${of.code}-${YEAR - 1}`;
  return stream.replace(/mx-[a-z0-9]+-[a-z]{2}$|MX-[A-Z0-9]+-[A-Z]{2}$/, 'mx-none-1');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** `m` as a whole token (not inside a longer id, a hash or a number). */
const mentions = (text: string, m: string) => new RegExp(`(?<![0-9A-Za-z_-])${escape(m)}(?![0-9A-Za-z_])`).test(text);

/** A problem body without what differs per request (instance, ids of the request), the resource's id and the missing id both `<id>`. */
function normalised(body: Record<string, unknown>, ids: readonly string[]): string {
  const { instance: _i, requestId: _r, traceId: _t, ...rest } = body;
  let text = JSON.stringify(rest);
  for (const id of [...ids].sort((a, b) => b.length - a.length)) text = text.split(id).join('<id>');
  return text;
}

type Operation = { method: string; path: string; roles: Role[]; query: string[]; example: unknown };

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

for (const kind of kinds) {
  t.test(`${kind}: every route × five bureaus × roles: reads reach the subtree, commands the own bureau, ids do not leak`, async (t) => {
    const started = Date.now();
    const clock = testClock('2024-03-01T02:00:00Z');
    let sql: Sql | undefined;
    const sqlProbe: ServiceMount = {
      name: 'matrix-sql-probe',
      async mount(_app, deps) {
        sql = deps.sql;
      },
    };
    const services = [...allInOne.services.map((s) => (s.name === 'lifecycle-api' ? lifecycleService({ env: clock.env, redriver: false }) : s)), sqlProbe];
    const system = await startSystem(t, kind, services, {
      GONGGUAN_ENV: 'test', AUDIT_SEAL_INTERVAL_MS: '0', RATE_LIMIT_COMMANDS_PER_MINUTE: '0', RATE_LIMIT_READS_PER_MINUTE: '0', REPORTING_MAX_WAIT_MS: '3000',
    });
    const call = caller(system.url);

    // ── The route table, from /openapi.json, with each operation's roles from the app's table.
    const doc = (await call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; required?: boolean }>; requestBody?: { content: Record<string, { schema: { example?: unknown } }> } }>> };
    const table = new Map(system.app.routesTable.map((r) => [`${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`, r.roles]));
    const operations: Operation[] = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => {
          const key = `${method.toUpperCase()} ${path}`;
          const roles = table.get(key);
          if (roles === undefined) throw new Error(`${key} is in /openapi.json but not in the route table`);
          return {
            method: method.toUpperCase(),
            path,
            roles: roles === 'public' ? [] : ([...roles] as Role[]),
            query: (op.parameters ?? []).filter((p) => p.in === 'query' && p.required).map((p) => p.name),
            example: op.requestBody?.content['application/json']?.schema.example,
          };
        }),
      );
    t.ok(operations.length >= 100, `${operations.length} operations under /v1 in /openapi.json`);
    const exercised = new Map<string, number>();
    const tick = (op: Operation) => exercised.set(`${op.method} ${op.path}`, (exercised.get(`${op.method} ${op.path}`) ?? 0) + 1);
    const templateOf = (method: string, url: string) =>
      operations.find((op) => op.method === method && new RegExp(`^${op.path.replace(/\{[A-Za-z]+\}/g, '[^/]+')}$`).test(url.split('?')[0]!));

    // ── Tokens: every role in every bureau; one expert reviewer (the same person) assigned in each.
    const tokens: Record<string, Record<string, string>> = {};
    for (const b of BUREAUS) {
      tokens[b.k] = {};
      for (const role of allRoles) tokens[b.k]![role] = await system.token(role, role === 'reviewer' ? 'expert-chen' : `${b.k}-${role}`, b.code);
      tokens[b.k]!.officer2 = await system.token('officer', `${b.k}-officer2`, b.code);
      tokens[b.k]!.finance2 = await system.token('finance', `${b.k}-finance2`, b.code);
    }
    const tok = (b: Bureau, role: string) => tokens[b.k]![role]!;

    // ── Setup through the public API; every command that succeeds for its own bureau is counted as an owner's success.
    const ownerSuccesses = new Map<string, number>();
    let lastPosition = '';
    const must = async (b: Bureau, method: string, path: string, role: string, body?: unknown) => {
      const res = await call(method, path, { token: tok(b, role), body });
      if (res.status >= 300) throw new Error(`${b.k} ${role} ${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      if (typeof res.body.position === 'string' && res.body.position > lastPosition) lastPosition = res.body.position;
      const op = templateOf(method, path);
      if (op && method !== 'GET') ownerSuccesses.set(`${op.method} ${op.path}`, (ownerSuccesses.get(`${op.method} ${op.path}`) ?? 0) + 1);
      return res.body;
    };
    const [zj, tz, hz, jj, sc] = BUREAUS as [Bureau, Bureau, Bureau, Bureau, Bureau];
    for (const b of [zj, tz, hz]) await must(zj, 'POST', '/v1/bureaus', 'admin', { code: b.code, name: b.name });
    await must(tz, 'POST', '/v1/bureaus', 'admin', { code: jj.code, name: jj.name });
    await must(hz, 'POST', '/v1/bureaus', 'admin', { code: sc.code, name: sc.name });

    const own: Record<string, Owned> = Object.fromEntries(BUREAUS.map((b) => [b.k, owned(b)]));
    for (const b of BUREAUS) {
      const o = own[b.k]!;
      const P = `/v1/projects/${o.project}`;
      clock.set('2024-03-01T02:00:00Z');
      await must(b, 'POST', '/v1/programmes', 'officer', { programmeId: o.programme, name: `${b.name}2024年度技术攻关`, bureau: b.name, quota: 3, focusIndustries: ['pumps'] });
      await must(b, 'POST', `/v1/programmes/${o.programme}/solicitation/opening`, 'officer', { opensOn: '2024-03-01', closesOn: '2024-05-31' });
      clock.set('2024-04-01T02:00:00Z');
      const county = COUNTY_OF[b.k] === undefined ? undefined : BUREAUS.find((c) => c.k === COUNTY_OF[b.k])!;
      await must(b, 'POST', `/v1/programmes/${o.programme}/proposals`, 'officer', {
        projectId: o.project, title: `${b.name}高效节能水泵关键技术`, leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: LEAD }, partners: [], industry: 'pumps',
        county: county?.name ?? b.name, principalInvestigator: { name: 'Wang Wei' }, keyTechnologies: ['hydraulics'], requestedFunding: 300_000_000,
        ...(county ? { countyCode: county.code } : {}),
      });
      // The county recommends its applicant to its city's programme: the one command across bureaus.
      if (county) await must(county, 'POST', `${P}/recommendation`, 'officer', { county: county.name, comment: '区重点企业' });
      await must(b, 'POST', `${P}/formal-review`, 'officer2', { passed: true });
      await must(b, 'POST', `${P}/reviewers`, 'officer', { reviewerId: 'expert-chen', name: 'Chen Jun', employerCreditCode: INSTITUTION });
      await must(b, 'POST', `${P}/scores`, 'reviewer', { score: 85 });
      clock.set('2024-04-10T02:00:00Z');
      await must(b, 'POST', `${P}/publicity`, 'officer', { startsOn: '2024-04-10' });
      clock.set('2024-04-20T02:00:00Z');
      await must(b, 'POST', `${P}/approval`, 'approver', {});
      await must(b, 'POST', `${P}/task-book`, 'officer', {
        startOn: '2024-05-01', approvedFunding: 200_000_000, milestones: [{ milestoneId: 'm1', title: 'Hydraulic model validated', dueOn: '2024-09-01' }], indicators: [{ name: 'Efficiency', target: '≥ 82%' }],
      });
      clock.set('2024-05-10T02:00:00Z');
      await must(b, 'POST', `${P}/grants/r1`, 'finance', {});
      await must(b, 'POST', `/v1/disbursements/r1-${o.project}/approval`, 'finance2', {});
      await must(b, 'POST', `/v1/disbursements/r1-${o.project}/payment`, 'finance', { bankReference: o.bankReferences[0], paidOn: '2024-05-10' });
      clock.set('2024-08-20T02:00:00Z');
      await must(b, 'POST', `${P}/milestones/m1/report`, 'officer', { reportedOn: '2024-08-20', summary: 'done', evidence: ['m1.pdf'] });
      await must(b, 'POST', `${P}/milestones/m1/acceptance`, 'officer2', {});
      await must(b, 'POST', `${P}/stage`, 'officer', { to: 'promotion' });
      await must(b, 'POST', `${P}/contracts`, 'officer', {
        contractId: o.contract, title: 'Licence', transferor: { name: 'Taizhou University', creditCode: INSTITUTION }, transferee: { name: 'Taizhou Pump Co.', creditCode: LEAD }, amount: 400_000_000, signedOn: '2024-08-20',
      });
      clock.set('2024-09-01T02:00:00Z');
      await must(b, 'POST', `${P}/contracts/${o.contract}/payments`, 'officer', { paymentId: o.payment, amount: 200_000_000, bankReference: o.bankReferences[1], paidOn: '2024-09-01' });
      const payee = { name: 'Taizhou Pump Co.', creditCode: LEAD };
      await must(b, 'POST', '/v1/disbursements', 'finance', { disbursementId: `mx-r2-${b.k}`, entitlement: { rule: 'R2', creditCode: LEAD, year: YEAR, projectId: o.project, paymentId: o.payment }, payee });
      await must(b, 'POST', `/v1/disbursements/mx-r2-${b.k}/approval`, 'finance2', {});
      await must(b, 'POST', `/v1/disbursements/mx-r2-${b.k}/payment`, 'finance', { bankReference: o.bankReferences[2], paidOn: '2024-09-01' });
      clock.set('2024-09-10T02:00:00Z');
      await must(b, 'POST', `/v1/subsidy-ledgers/r3/${INSTITUTION}/${YEAR}/transactions`, 'finance', { programmeId: o.programme, transactionId: o.transaction, amount: 400_000_000, occurredOn: '2024-09-10', inCity: true, description: 'licence brokered' });
      await must(b, 'POST', '/v1/disbursements', 'finance', { disbursementId: `mx-r3-${b.k}`, entitlement: { rule: 'R3', creditCode: INSTITUTION, year: YEAR, transactionId: o.transaction }, payee: { name: 'Taizhou University', creditCode: INSTITUTION } });
      await must(b, 'POST', `/v1/disbursements/mx-r3-${b.k}/approval`, 'finance2', {});
      await must(b, 'POST', `/v1/disbursements/mx-r3-${b.k}/payment`, 'finance', { bankReference: o.bankReferences[3], paidOn: '2024-09-10' });
      // Evidence files (issue 19): one on the project, one on its R1 disbursement, each under a known id.
      for (const [path, role] of [[`${P}/evidence`, 'officer'], [`/v1/disbursements/r1-${o.project}/evidence`, 'finance']] as const) {
        const res = await fetch(`${system.url}${path}?evidenceId=mx-ev-${b.k}&name=${encodeURIComponent(`${b.name}证明.pdf`)}`, {
          method: 'POST', headers: { authorization: `Bearer ${tok(b, role)}`, 'content-type': 'application/pdf' }, body: `%PDF-1.4\n% ${b.k}\n%%EOF\n`,
        });
        if (res.status !== 201) throw new Error(`${b.k} ${role} POST ${path} → ${res.status} ${await res.text()}`);
        const op = templateOf('POST', path);
        if (op) ownerSuccesses.set(`${op.method} ${op.path}`, (ownerSuccesses.get(`${op.method} ${op.path}`) ?? 0) + 1);
      }
      t.equal((await must(b, 'GET', `/v1/subsidy-ledgers/r2/${LEAD}/${YEAR}`, 'finance')).stream, o.r2Ledger, `${b.k}: its R2 ledger`);
      t.equal((await must(b, 'GET', `/v1/subsidy-ledgers/r3/${INSTITUTION}/${YEAR}`, 'finance')).stream, o.r3Ledger, `${b.k}: its R3 ledger`);
    }
    clock.set('2025-01-10T02:00:00Z');
    for (const b of [tz, hz]) await must(b, 'POST', `/v1/bureaus/${b.code}/annual-summaries/${YEAR}`, 'officer', { title: `${b.name}${YEAR}年度科技工作总结`, summary: '全年组织实施重大技术攻关项目。' });
    // Sealed, so that events have proofs; then the ids of each bureau's events (read by the province's auditor).
    // (The seal covers what the log's watermark has reached: sealed again until it covers every event of the setup.
    // The count is read through the same watermark, which a sequence gap can hold back for a moment, so the
    // last setup streams, the annual summaries, must also have their heads in the seal.)
    const setupEvents = await system.eventCount();
    for (let i = 0; ; i++) {
      const sealed = await call('POST', '/v1/audit/tree-heads', { token: tok(zj, 'admin'), body: {} });
      if (sealed.status !== 201) throw new Error(`the seal → ${sealed.status} ${JSON.stringify(sealed.body)}`);
      const latest = await call('GET', '/v1/audit/tree-heads/latest', { token: tok(zj, 'auditor') });
      const size = Number(latest.body.treeSize);
      const summaries = await Promise.all([tz, hz].map((b) => call('GET', `/v1/audit/streams/annual-summary-${b.code}-${YEAR}/head`, { token: tok(zj, 'auditor') })));
      if (size >= setupEvents && summaries.every((head) => head.status === 200)) break;
      if (i > 50) throw new Error(`the seal covers ${size} of ${setupEvents} events`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const b of BUREAUS) {
      const o = own[b.k]!;
      for (const stream of [`project-${o.project}`, o.r3Ledger]) {
        const events = (await must(zj, 'GET', `/v1/audit/streams/${stream}/events?limit=1`, 'auditor')).events as Array<{ id: string }>;
        o.events.push(events[0]!.id);
      }
    }
    // The projections caught up with the last event in the store: the last command's, and whatever the
    // services appended on their own after it (a seal, a re-driven assessment), so every list read
    // below sees the same rows whichever bureau reads first.
    const head = await system.store.lastPosition();
    if (head > lastPosition) lastPosition = head;
    for (let i = 0; ; i++) {
      const res = await call('GET', `/v1/reporting/projects?minPosition=${encodeURIComponent(lastPosition)}`, { token: tok(zj, 'reporter') });
      if (res.status === 200) break;
      if (i > 20) throw new Error(`projections did not catch up: ${res.status} ${JSON.stringify(res.body)}`);
    }
    t.comment(`${kind}: set up five bureaus (${await system.eventCount()} events) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const problems: string[] = [];
    const counts = { reads: 0, readCells: 0, lists: 0, commands: 0, ownerControls: 0, sql: 0 };

    // ── Reads naming a resource.
    type Bound = { url: string; ids: string[]; missingUrl: (c: Bureau) => string; missingIds: (c: Bureau) => string[] };
    /** Every URL of `op` naming a resource of `o`; undefined when a parameter names nothing a bureau owns. */
    const bindRead = (op: Operation, o: Owned): Bound[] | undefined => {
      const query = op.query.map((q) => `${q}=${requiredQuery[q] ?? ''}`).join('&');
      const withQuery = (url: string, extra = '') => [url, [query, extra].filter(Boolean).join('&')].filter(Boolean).join('?');
      const p = op.path;
      const m = /^(.*)\/([a-z-]+)\/\{([A-Za-z]+)\}(\/[a-z-/]+)?$/.exec(p);
      if (p.startsWith('/v1/subsidy-ledgers/')) {
        const r3 = p.includes('/r3/');
        const credit = r3 ? INSTITUTION : LEAD;
        const base = p.replace('{creditCode}', credit);
        return [{
          url: withQuery(base.replace('{year}', String(YEAR)), `bureau=${o.b.code}`),
          ids: [r3 ? o.r3Ledger : o.r2Ledger],
          missingUrl: (c) => withQuery(base.replace('{year}', String(YEAR - 1)), `bureau=${c.code}`),
          missingIds: (c) => [ledgerStream(r3 ? 'r3' : 'subsidy', c.code, credit, YEAR - 1)],
        }];
      }
      // An evidence file: named by its project or disbursement and its own id (set up as mx-ev-<bureau>).
      const evidence = /^\/v1\/(projects|disbursements)\/\{[A-Za-z]+\}\/evidence\/\{evidenceId\}$/.exec(p);
      if (evidence) {
        const [holder, none] = evidence[1] === 'projects' ? [o.project, 'mx-prj-none'] : [o.disbursements[0]!, 'mx-d-none'];
        const url = (id: string, file: string) => withQuery(`/v1/${evidence[1]}/${id}/evidence/${file}`);
        return [{ url: url(holder, `mx-ev-${o.b.k}`), ids: [holder, `mx-ev-${o.b.k}`], missingUrl: () => url(none, 'mx-ev-none'), missingIds: () => [none, 'mx-ev-none'] }];
      }
      if (!m) return undefined;
      const [, prefix, segment, , rest = ''] = m;
      const fill = (v: string) => withQuery(`${prefix}/${segment}/${encodeURIComponent(v)}${rest}`);
      const simple = (values: string[], missing: string) => values.map((v) => ({ url: fill(v), ids: [v], missingUrl: () => fill(missing), missingIds: () => [missing] }));
      switch (segment) {
        case 'programmes':
          return simple([o.programme], 'mx-prog-none');
        case 'projects':
          return simple([o.project], 'mx-prj-none');
        case 'disbursements':
          return simple(o.disbursements, 'mx-d-none');
        case 'bank-references':
          return simple(o.bankReferences, 'MX-NONE');
        case 'bureaus':
          return simple([o.b.code], NO_BUREAU);
        case 'streams':
          return o.streams.map((s) => ({ url: fill(s), ids: [s], missingUrl: (c) => fill(missingStream(s, c)), missingIds: (c) => [missingStream(s, c)] }));
        case 'ledgers':
          return [o.r2Ledger, o.r3Ledger].map((s) => ({ url: fill(s), ids: [s], missingUrl: (c) => fill(missingStream(s, c)), missingIds: (c) => [missingStream(s, c)] }));
        case 'events':
          return simple(o.events, '00000000-0000-4000-8000-000000000000');
        default:
          return undefined;
      }
    };

    const readOps = operations.filter((op) => op.method === 'GET' && op.roles.length > 0 && op.path.includes('{') && !(`GET ${op.path}` in excluded));
    for (const op of readOps) {
      const missingCache = new Map<string, { status: number; body: string }>();
      for (const owner of BUREAUS) {
        const bound = bindRead(op, own[owner.k]!);
        if (bound === undefined) {
          problems.push(`GET ${op.path}: a path parameter this matrix cannot bind to a bureau's resource (bind it, or exclude it with a reason)`);
          break;
        }
        for (const [variant, cell] of bound.entries()) {
          for (const c of BUREAUS) {
            // Every role that may read the route, across the cells (the roles rotate, every role meets every owner and caller).
            const roles = op.roles.length <= 2 ? op.roles : [op.roles[(BUREAUS.indexOf(c) + variant) % op.roles.length]!, op.roles[(BUREAUS.indexOf(c) + variant + 1) % op.roles.length]!];
            for (const role of roles) {
              counts.reads++;
              tick(op);
              const res = await call('GET', cell.url, { token: tok(c, role) });
              const label = `${c.k} ${role} GET ${cell.url} (${owner.k}'s)`;
              if (within(owner, c)) {
                if (res.status !== 200) problems.push(`${label} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)} (inside the subtree: 200)`);
              } else {
                const key = `${c.k} ${role} ${cell.missingUrl(c)}`;
                let missing = missingCache.get(key);
                if (!missing) {
                  const m = await call('GET', cell.missingUrl(c), { token: tok(c, role) });
                  missing = { status: m.status, body: normalised(m.body, cell.missingIds(c)) };
                  missingCache.set(key, missing);
                }
                if (res.status !== 404 || missing.status !== 404) problems.push(`${label} → ${res.status}, a missing id → ${missing.status} (outside the subtree: 404, as a missing id)`);
                else if (normalised(res.body, cell.ids) !== missing.body) problems.push(`${label}: the 404 is not the body of a missing id: ${normalised(res.body, cell.ids)} ≠ ${missing.body}`);
              }
            }
          }
          counts.readCells += BUREAUS.length;
        }
      }
    }
    t.comment(`${kind}: ${counts.reads} reads naming a resource (${readOps.length} routes, ${counts.readCells} caller × resource cells) by ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // ── Lists: nothing of a bureau outside the subtree; everything of the subtree the province sees.
    const foreignTo = (c: Bureau) => BUREAUS.filter((b) => !within(b, c) && !within(c, b));
    const bureauFieldsOutside = (value: unknown, c: Bureau, out: string[]) => {
      if (Array.isArray(value)) for (const v of value) bureauFieldsOutside(v, c, out);
      else if (value !== null && typeof value === 'object') {
        for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
          if (typeof v === 'string' && /^bureau_?code$/i.test(key) && /^\d{6}$/.test(v) && !pathWithin(byCode(v)?.path ?? `?${v}`, c)) out.push(`${key}=${v}`);
          else if (typeof v === 'string' && /^bureau_?path$/i.test(key) && !pathWithin(v, c)) out.push(`${key}=${v}`);
          else bureauFieldsOutside(v, c, out);
        }
      }
    };
    /** The bureau columns of a CSV (a header naming bureau_code / bureau_path). */
    const csvBureauCellsOutside = (text: string, c: Bureau, out: string[]) => {
      const lines = text.replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
      const header = (lines[0] ?? '').split(',');
      for (const [i, name] of header.entries()) {
        if (!/^(bureau_code|bureau_path|code|path)$/.test(name)) continue;
        for (const line of lines.slice(1)) {
          const cell = line.split(',')[i] ?? '';
          if (/code$/.test(name) && /^\d{6}$/.test(cell) && !pathWithin(byCode(cell)?.path ?? `?${cell}`, c)) out.push(`${name}=${cell}`);
          if (/path$/.test(name) && /^\d{6}(\.\d{6})*$/.test(cell) && !pathWithin(cell, c)) out.push(`${name}=${cell}`);
        }
      }
    };
    const listOps = operations.filter((op) => op.method === 'GET' && op.roles.length > 0 && !op.path.includes('{') && !(`GET ${op.path}` in excluded));
    for (const op of listOps) {
      const filters = (doc.paths[op.path]!.get!.parameters ?? []).filter((p) => p.in === 'query' && ['projectId', 'programmeId'].includes(p.name)).map((p) => p.name);
      const query = op.query.map((q) => `${q}=${op.path.endsWith('/consistency') && q === 'from' ? '1' : (requiredQuery[q] ?? '')}`);
      const urls = (c: Bureau) => [
        [op.path, query.join('&')],
        // The list filtered by an id of every other bureau's: still nothing of theirs.
        ...filters.flatMap((f) => foreignTo(c).map((b) => [op.path, [...query, `${f}=${f === 'projectId' ? own[b.k]!.project : own[b.k]!.programme}`].join('&')])),
      ].map(([path, q]) => (q ? `${path}?${q}` : path!));
      const seenByProvince = new Set<string>();
      for (const c of [zj, tz, hz, jj, sc]) {
        const role = op.roles[BUREAUS.indexOf(c) % op.roles.length]!;
        for (const [i, url] of urls(c).entries()) {
          counts.lists++;
          tick(op);
          const res = await fetch(`${system.url}${url}`, { headers: { authorization: `Bearer ${tok(c, role)}` } });
          const text = await res.text();
          if (res.status !== 200) {
            problems.push(`${c.k} ${role} GET ${url} → ${res.status} ${text.slice(0, 200)}`);
            continue;
          }
          const leaked = foreignTo(c).flatMap((b) => [b.code, ...own[b.k]!.markers].filter((m) => mentions(text, m)));
          const outside: string[] = [];
          if (String(res.headers.get('content-type')).includes('json')) bureauFieldsOutside(JSON.parse(text), c, outside);
          else csvBureauCellsOutside(text, c, outside);
          if (leaked.length > 0 || outside.length > 0) problems.push(`${c.k} ${role} GET ${url} names what is outside its subtree: ${[...leaked, ...outside].slice(0, 8).join(', ')}`);
          if (i > 0) continue;
          // What the province sees of the caller's subtree, the caller sees too (so the check above cannot pass on an empty answer).
          const mine = BUREAUS.filter((b) => within(b, c)).flatMap((b) => own[b.k]!.markers);
          if (c === zj) for (const m of mine) if (mentions(text, m)) seenByProvince.add(m);
          const missed = mine.filter((m) => seenByProvince.has(m) && !mentions(text, m));
          if (missed.length > 0) problems.push(`${c.k} ${role} GET ${url} does not show its own ${missed.slice(0, 5).join(', ')} (the province sees them)`);
        }
      }
      if (/\/v1\/reporting\/(projects|programmes|disbursements|money-movements|milestones|activity|exports\/projects\.csv)$/.test(op.path) && seenByProvince.size === 0) {
        problems.push(`GET ${op.path}: the province sees none of the bureaus' ids (the list check would be empty)`);
      }
    }
    t.comment(`${kind}: ${counts.lists} list reads (${listOps.length} routes × five bureaus, with filters naming other bureaus' ids) by ${((Date.now() - started) / 1000).toFixed(1)} s`);

    // ── Commands.
    let n = 0;
    const fresh = (prefix: string) => `${prefix}-${++n}`;
    type CommandCell = { path: string; body: unknown; ids: string[]; missingPath: (c: Bureau) => string; missingBody: (c: Bureau) => unknown; missingIds: (c: Bureau) => string[]; rule: 'own' | 'ownLedger' | 'register' | 'registry' };
    const pathValue: Record<string, (o: Owned) => string> = {
      programmeId: (o) => o.programme,
      projectId: (o) => o.project,
      contractId: (o) => o.contract,
      paymentId: (o) => o.payment,
      transactionId: (o) => o.transaction,
      code: (o) => o.b.code,
      creditCode: () => INSTITUTION,
      year: () => String(YEAR),
      milestoneId: () => 'm1',
      objectionId: () => 'obj-x',
      rectificationId: () => 'rect-x',
      changeId: () => 'chg-x',
      correctionId: () => 'corr-x',
    };
    const missingValue: Record<string, string> = { programmeId: 'mx-prog-none', projectId: 'mx-prj-none', disbursementId: 'mx-d-none', code: NO_BUREAU, contractId: 'mx-c-none', paymentId: 'mx-pay-none', transactionId: 'mx-t-none' };
    /** The example body with every id it creates made new, and what it names made the owner's. */
    const bodyFor = (op: Operation, o: Owned, missing: boolean): unknown => {
      const body = structuredClone((op.example ?? {}) as Record<string, unknown>);
      for (const key of ['objectionId', 'visitId', 'rectificationId', 'changeId', 'contractId', 'paymentId', 'clawbackId', 'disbursementId', 'transactionId']) if (key in body) body[key] = fresh('mx-new');
      if ('bankReference' in body) body.bankReference = fresh('MX-NEW');
      if (op.path.endsWith('/proposals')) {
        body.projectId = fresh('mx-new');
        delete body.countyCode;
      }
      if ('programmeId' in body) body.programmeId = missing ? 'mx-prog-none' : o.programme;
      if (op.path.endsWith('/annual-summaries/{year}')) delete body.submittedOn;
      if (op.path === '/v1/bureaus') body.code = missing ? NO_BUREAU : o.b.code;
      // A rename to its own name, a merge into itself: nothing a registry should do, whoever asks.
      if (op.path.endsWith('/rename')) body.name = o.b.name;
      if (op.path.endsWith('/merge')) body.into = o.b.code;
      return body;
    };
    const bindCommand = (op: Operation, o: Owned): CommandCell[] | undefined => {
      const params = [...op.path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => m[1]!);
      const rule: CommandCell['rule'] = op.path === '/v1/bureaus' ? 'register' : /^\/v1\/bureaus\/\{code\}\/(rename|merge)$/.test(op.path) ? 'registry' : op.path.includes('/subsidy-ledgers/r3/') && op.path.endsWith('/reversal') ? 'ownLedger' : 'own';
      if (params.some((p) => p !== 'disbursementId' && pathValue[p] === undefined)) return undefined;
      if (params.length === 0 && !['/v1/programmes', '/v1/disbursements', '/v1/bureaus'].includes(op.path)) return undefined;
      const variants = params.includes('disbursementId') ? [o.disbursements[0]!, o.disbursements[2]!] : [''];
      return variants.flatMap((d) => {
        const fill = (missing: boolean) => op.path.replace(/\{([A-Za-z]+)\}/g, (_m, p: string) => (missing && missingValue[p] ? missingValue[p] : p === 'disbursementId' ? d : pathValue[p]!(o)));
        const ids = params.map((p) => (p === 'disbursementId' ? d : pathValue[p]!(o))).filter((v) => v !== String(YEAR) && v !== INSTITUTION && v.length > 4);
        const base = { path: fill(false), ids: [...ids, o.programme], missingPath: () => fill(true), missingIds: () => [...params.map((p) => missingValue[p] ?? ''), 'mx-prog-none'].filter(Boolean), rule };
        if (op.path !== '/v1/disbursements') return [{ ...base, body: bodyFor(op, o, false), missingBody: () => bodyFor(op, o, true), ids: op.path === '/v1/bureaus' ? [o.b.code] : base.ids, missingIds: () => (op.path === '/v1/bureaus' ? [NO_BUREAU] : base.missingIds()) }];
        // A disbursement names its entitlement: R1 and R2 by the project, R3 by its ledger's bureau.
        const payee = { name: 'P', creditCode: LEAD };
        const byProject: CommandCell[] = [
          [{ rule: 'R1', projectId: o.project }, { rule: 'R1', projectId: 'mx-prj-none' }],
          [{ rule: 'R2', creditCode: LEAD, year: YEAR, projectId: o.project, paymentId: o.payment }, { rule: 'R2', creditCode: LEAD, year: YEAR, projectId: 'mx-prj-none', paymentId: o.payment }],
        ].map(([entitlement, missing]) => {
          const id = fresh('mx-new');
          return { ...base, body: { disbursementId: id, entitlement, payee }, missingBody: () => ({ disbursementId: id, entitlement: missing, payee }), ids: [o.project], missingIds: () => ['mx-prj-none'] };
        });
        // R3 names its ledger's bureau: another bureau's ledger answers as a transaction missing from the caller's own.
        const id = fresh('mx-new');
        const r3 = (code: string, transactionId: string) => ({ rule: 'R3', bureauCode: code, creditCode: INSTITUTION, year: YEAR, transactionId });
        const byLedger: CommandCell = {
          ...base,
          body: { disbursementId: id, entitlement: r3(o.b.code, o.transaction), payee },
          missingBody: (c) => ({ disbursementId: id, entitlement: r3(c.code, 'mx-t-none'), payee }),
          ids: [o.r3Ledger, o.transaction],
          missingIds: (c) => [ledgerStream('r3', c.code, INSTITUTION, YEAR), 'mx-t-none'],
        };
        return [...byProject, byLedger];
      });
    };
    const problemCode = (body: Record<string, unknown>) => String(body.code ?? '');
    const commandOps = operations.filter((op) => op.method !== 'GET' && op.roles.length > 0 && !(`${op.method} ${op.path}` in excluded));
    let events = await system.eventCount();
    const ownerOutcomes: Record<string, number> = {};
    /** Routes whose owner's command was written despite the stale If-Match (a command that creates, or one that takes no revision). */
    const ownerSucceeded = new Set<string>();
    for (const op of commandOps) {
      const missingCache = new Map<string, { status: number; body: string }>();
      for (const owner of BUREAUS) {
        const cells = bindCommand(op, own[owner.k]!);
        if (cells === undefined) {
          problems.push(`${op.method} ${op.path}: a parameter this matrix cannot bind to a bureau's resource (bind it, or exclude it with a reason)`);
          break;
        }
        for (const [variant, cell] of cells.entries()) {
          for (const c of BUREAUS) {
            if (c === owner) continue;
            // The county recommends its own applicants to its city's programme (the one exception).
            if (op.path.endsWith('/recommendation') && COUNTY_OF[owner.k] === c.k) continue;
            const role = op.roles[(BUREAUS.indexOf(c) + variant) % op.roles.length]!;
            const label = `${c.k} ${role} ${op.method} ${cell.path} (${owner.k}'s)`;
            counts.commands++;
            tick(op);
            const res = await call(op.method, cell.path, { token: tok(c, role), body: cell.body });
            const after = await system.eventCount();
            if (after !== events) problems.push(`${label} → ${res.status}: the store grew by ${after - events} event(s)`);
            events = after;
            const above = within(owner, c);
            if (cell.rule === 'register' || cell.rule === 'registry') {
              // The registry is an admin's within its subtree: below the caller allowed (already registered), outside refused.
              if (above) {
                if (['BUREAU_FORBIDDEN', 'BUREAU_NOT_FOUND'].includes(problemCode(res.body))) problems.push(`${label} → ${res.status} ${problemCode(res.body)} (below the caller: the registry is its)`);
                continue;
              }
              const want = cell.rule === 'register' ? [403, 'BUREAU_FORBIDDEN'] : [404, 'BUREAU_NOT_FOUND'];
              if (res.status !== want[0] || problemCode(res.body) !== want[1]) problems.push(`${label} → ${res.status} ${problemCode(res.body)} (expected ${want.join(' ')})`);
              if (cell.rule === 'register') continue;
            } else if (above && cell.rule === 'own') {
              if (res.status !== 403 || problemCode(res.body) !== 'BUREAU_FORBIDDEN') problems.push(`${label} → ${res.status} ${problemCode(res.body)} (below the caller: 403 BUREAU_FORBIDDEN)`);
              continue;
            }
            // Outside the subtree (or on the caller's own ledger): 404, the body of a missing id.
            const key = `${c.k} ${role} ${cell.missingPath(c)} ${owner.k} ${variant}`;
            let missing = missingCache.get(key);
            // (A programme id of no bureau's would launch it: an id taken by another bureau is compared by its code alone.)
            if (!missing && op.path !== '/v1/programmes') {
              const m = await call(op.method, cell.missingPath(c), { token: tok(c, role), body: cell.missingBody(c) });
              missing = { status: m.status, body: normalised(m.body, cell.missingIds(c)) };
              missingCache.set(key, missing);
              const grown = await system.eventCount();
              if (grown !== events) problems.push(`${c.k} ${role} ${op.method} ${cell.missingPath(c)} (a missing id) → ${m.status}: the store grew`);
              events = grown;
            }
            if (res.status !== 404) problems.push(`${label} → ${res.status} ${problemCode(res.body)} (outside the subtree: 404)`);
            else if (op.path === '/v1/programmes' || !missing) {
              if (problemCode(res.body) !== 'PROGRAMME_NOT_FOUND') problems.push(`${label} → ${problemCode(res.body)} (a programme id of another bureau answers as that programme: PROGRAMME_NOT_FOUND)`);
            } else if (missing.status !== 404 || normalised(res.body, cell.ids) !== missing.body) {
              problems.push(`${label}: ${normalised(res.body, cell.ids)} is not the answer for a missing id (${missing.status} ${missing.body})`);
            }
          }
          // The owner passes the bureau check: with a stale If-Match it reaches the decider (412) or a rule of the domain, never a bureau's refusal.
          if (cell.rule === 'register') continue;
          const role = op.roles[variant % op.roles.length]!;
          counts.ownerControls++;
          const res = await call(op.method, cell.path, { token: tok(owner, role), body: cell.body, headers: { 'if-match': '"999999"' } });
          events = await system.eventCount();
          ownerOutcomes[String(res.status)] = (ownerOutcomes[String(res.status)] ?? 0) + 1;
          if (res.status < 300) ownerSucceeded.add(`${op.method} ${op.path}`);
          const refusedAsOutsider = res.status === 404 && missingCache.size > 0 && [...missingCache.values()].some((m) => m.body === normalised(res.body, cell.ids));
          if (['BUREAU_FORBIDDEN', 'BUREAU_NOT_FOUND', 'BUREAU_MERGED', 'BUREAU_NOT_REGISTERED'].includes(problemCode(res.body)) || refusedAsOutsider || res.status === 401 || res.status >= 500) {
            problems.push(`${owner.k} ${role} ${op.method} ${cell.path} (its own) → ${res.status} ${problemCode(res.body)}: the owner is refused as an outsider`);
          }
        }
      }
    }
    t.comment(`${kind}: ${counts.commands} commands by other bureaus, ${counts.ownerControls} by the owner (answers ${JSON.stringify(ownerOutcomes)}), ${ownerSuccesses.size} command routes succeeded for their own bureau in the setup; by ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (ownerSucceeded.size > 0) t.comment(`${kind}: written for the owner despite a stale If-Match: ${[...ownerSucceeded].join(', ')}`);
    t.ok((ownerOutcomes['412'] ?? 0) > commandOps.length, 'most owners reach the decider (412 on a stale If-Match)');
    t.ok(ownerSuccesses.size >= 20, `${ownerSuccesses.size} command routes succeeded for the owner`);

    // ── SQL: a reporting job's role sees its subtree through every reporting.* view with a bureau.
    if (sql === undefined) throw new Error('no SQL probe');
    const db: Sql = sql;
    const suffix = randomBytes(3).toString('hex');
    const { rows: scopedViews } = await db.query<{ table_name: string }>(
      `select distinct c.table_name from information_schema.columns c join information_schema.views v on v.table_schema = c.table_schema and v.table_name = c.table_name
        where c.table_schema = 'reporting' and c.column_name = 'bureau_path' order by 1`,
    );
    t.ok(scopedViews.length >= 5, `${scopedViews.length} reporting views with a bureau_path: ${scopedViews.map((v) => v.table_name).join(', ')}`);
    const roleOf = (b: Bureau) => `mx_report_${b.k}_${suffix}`;
    try {
      for (const b of BUREAUS) await db.query('select reporting.create_bureau_role($1, $2)', [roleOf(b), b.code]);
      for (const { table_name: view } of scopedViews) {
        const { rows: all } = await db.query<{ bureau_path: string; n: number }>(`select bureau_path, count(*)::int as n from reporting.${view} group by 1`);
        for (const b of BUREAUS) {
          counts.sql++;
          const expected = all.filter((r) => pathWithin(r.bureau_path, b)).reduce((s, r) => s + r.n, 0);
          const seen = await db.transaction(async (tx) => {
            await tx.query(`select set_config('role', $1, true)`, [roleOf(b)]);
            // A reporting role cannot widen its scope through the service's setting.
            await tx.query(`select set_config('gongguan.bureau_path', '330000', true)`);
            return (await tx.query<{ bureau_path: string; n: number }>(`select bureau_path, count(*)::int as n from reporting.${view} group by 1`)).rows;
          });
          const outside = seen.filter((r) => !pathWithin(r.bureau_path, b));
          const total = seen.reduce((s, r) => s + r.n, 0);
          if (outside.length > 0 || total !== expected) problems.push(`SQL as ${b.k}'s reporting role: reporting.${view} shows ${total} rows (expected ${expected}), outside its subtree: ${outside.map((r) => r.bureau_path).join(', ')}`);
        }
        if (all.filter((r) => BUREAUS.some((b) => b.path === r.bureau_path)).length >= 5 && all.length > 0) t.pass(`reporting.${view}: rows of every bureau, each role its subtree's`);
      }
      const ownProjects = await db.transaction(async (tx) => {
        await tx.query(`select set_config('role', $1, true)`, [roleOf(tz)]);
        return (await tx.query<{ project_id: string }>(`select project_id from reporting.projects where project_id like 'mx-prj-%' order by 1`)).rows.map((r) => r.project_id);
      });
      t.same(ownProjects, ['mx-prj-jj', 'mx-prj-tz'], "Taizhou's reporting role sees its project and its county's, none of Hangzhou's");
    } finally {
      if (kind === 'postgres') for (const b of BUREAUS) await db.exec(`drop owned by ${roleOf(b)}; drop role if exists ${roleOf(b)}`).catch(() => undefined);
    }

    // ── Every operation under /v1 was exercised, or is excluded with its reason.
    const notExercised = operations.filter((op) => !exercised.has(`${op.method} ${op.path}`) && !(`${op.method} ${op.path}` in excluded) && !(op.method === 'GET' && op.roles.length === 0));
    t.same(notExercised.map((op) => `${op.method} ${op.path}`), [], 'every operation under /v1 in /openapi.json is in the matrix or excluded with a reason');
    const publicReads = operations.filter((op) => op.roles.length === 0 && !(`${op.method} ${op.path}` in excluded));
    t.same(publicReads.map((op) => `${op.method} ${op.path}`), [], 'a public route is excluded by name, with its reason');
    t.same(Object.keys(excluded).filter((k) => !operations.some((op) => `${op.method} ${op.path}` === k)), [], 'every exclusion names a route that exists');

    t.same(problems, [], 'every cell of the bureau matrix as the README says');
    t.comment(`${kind}: ${counts.reads} reads + ${counts.lists} list reads + ${counts.commands} commands + ${counts.ownerControls} owner controls + ${counts.sql} SQL role × view checks over ${operations.length} operations (${Object.keys(excluded).length} excluded) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
}
