import t from 'tap';
import { caller } from './support/api.js';
import { databaseKinds, lifecycleService, startSystem, testClock, type RunningSystem } from './support/system.js';

/**
 * Issue 18 over real HTTP: a province (330000), two cities (Taizhou 331000, Lishui 331100) and a
 * county under each (Jiaojiang 331002, Liandu 331102). Commands act only inside the caller's own
 * bureau (403 BUREAU_FORBIDDEN on a resource below it, 404 on one it cannot read, with the body of
 * a missing id), reads reach the caller's subtree, a county recommends projects of its county to
 * its city's programme, and nothing a refused request touches changes.
 */
const LEAD = '91331000MA2AB12341';
const INSTITUTION = '12331000470000001L';

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

type Call = ReturnType<typeof caller>;

async function tokens(system: RunningSystem) {
  const of = (bureau: string, prefix: string) =>
    Promise.all([
      system.token('officer', `${prefix}-officer`, bureau),
      system.token('officer', `${prefix}-officer2`, bureau),
      system.token('approver', `${prefix}-approver`, bureau),
      system.token('finance', `${prefix}-finance`, bureau),
      system.token('finance', `${prefix}-finance2`, bureau),
      system.token('admin', `${prefix}-admin`, bureau),
      system.token('auditor', `${prefix}-auditor`, bureau),
    ]).then(([officer, officer2, approver, finance, finance2, admin, auditor]) => ({ officer, officer2, approver, finance, finance2, admin, auditor }));
  return {
    zj: await of('330000', 'zj'),
    tz: await of('331000', 'tz'),
    ls: await of('331100', 'ls'),
    jj: await of('331002', 'jj'),
    ld: await of('331102', 'ld'),
    unregistered: await system.token('officer', 'hy-officer', '331003'),
  };
}

for (const kind of kinds) {
  t.test(`${kind}: two cities and a county under each, against each other's programmes, projects, money and reads`, async (t) => {
    const clock = testClock('2024-03-01T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env })]);
    const call: Call = caller(system.url);
    const who = await tokens(system);
    const must = async (method: string, path: string, token: string, body?: unknown, status = method === 'GET' ? 200 : [200, 201]) => {
      const res = await call(method, path, { token, body });
      const wanted = Array.isArray(status) ? status : [status];
      if (!wanted.includes(res.status)) t.fail(`${method} ${path} → ${res.status}: ${JSON.stringify(res.body)}`);
      return res;
    };
    /** A refused request: its status and code, and not one event more in the store. */
    const refused = async (method: string, path: string, token: string, body: unknown, status: number, code: string) => {
      const before = await system.eventCount();
      const res = await call(method, path, { token, body });
      t.equal(res.status, status, `${method} ${path} → ${status}: ${JSON.stringify(res.body)}`);
      t.equal(res.body.code, code, `${method} ${path}: ${code}`);
      t.equal(await system.eventCount(), before, `${method} ${path} changed nothing`);
      return res;
    };
    /** A 404 for another bureau's id is the very body of a missing id (the URL aside). */
    const sameAsMissing = (res: { body: Record<string, unknown> }, missing: { body: Record<string, unknown> }) => {
      const strip = ({ instance: _i, requestId: _r, traceId: _t, ...rest }: Record<string, unknown>) => rest;
      t.same(strip(res.body), strip(missing.body), 'the same body as a missing id');
    };

    // The registry: the province registers itself, then its cities, the cities their counties.
    await must('POST', '/v1/bureaus', who.zj.admin, { code: '330000', name: '浙江省科学技术厅' });
    await refused('POST', '/v1/bureaus', who.tz.admin, { code: '331100', name: '丽水市科学技术局' }, 403, 'BUREAU_FORBIDDEN');
    await must('POST', '/v1/bureaus', who.zj.admin, { code: '331000', name: '台州市科学技术局' });
    await must('POST', '/v1/bureaus', who.zj.admin, { code: '331100', name: '丽水市科学技术局' });
    await must('POST', '/v1/bureaus', who.tz.admin, { code: '331002', name: '椒江区科学技术局' });
    await must('POST', '/v1/bureaus', who.ls.admin, { code: '331102', name: '莲都区科学技术局' });
    await refused('POST', '/v1/bureaus', who.ls.admin, { code: '331003', name: '黄岩区科学技术局' }, 403, 'BUREAU_FORBIDDEN');
    await refused('POST', '/v1/bureaus', who.tz.officer, { code: '331003', name: '黄岩区科学技术局' }, 403, 'FORBIDDEN');
    await refused('POST', '/v1/bureaus/331102/rename', who.tz.admin, { name: '莲都' }, 404, 'BUREAU_NOT_FOUND');

    const tree = await must('GET', '/v1/bureaus', who.tz.officer);
    t.match(tree.body, { root: { code: '331000', name: '台州市科学技术局', path: '330000.331000', children: [{ code: '331002', path: '330000.331000.331002', children: [] }] } });
    t.equal((tree.body.root as { children: unknown[] }).children.length, 1, 'Taizhou sees only its own county');
    const province = await must('GET', '/v1/bureaus', who.zj.auditor);
    t.same((province.body.root as { children: Array<{ code: string }> }).children.map((c) => c.code), ['331000', '331100']);
    await must('GET', '/v1/bureaus/331002', who.tz.auditor);
    await refused('GET', '/v1/bureaus/331102', who.tz.auditor, undefined, 404, 'NOT_FOUND');
    await refused('GET', '/v1/bureaus/331000', who.jj.officer, undefined, 404, 'NOT_FOUND');

    // Programmes: each city launches its own; the bureau comes from the token, never the body.
    const launch = (token: string, programmeId: string, bureau: string) =>
      must('POST', '/v1/programmes', token, { programmeId, name: `${programmeId} 技术攻关`, bureau, quota: 3, focusIndustries: ['pumps'] });
    await launch(who.tz.officer, 'tz-2024', '台州市科学技术局');
    await launch(who.ls.officer, 'ls-2024', '丽水市科学技术局');
    await launch(who.jj.officer, 'jj-2024', '椒江区科学技术局');
    await refused('POST', '/v1/programmes', who.tz.officer, { programmeId: 'x', name: 'x', bureau: 'x', bureauCode: '331100', quota: 1 }, 400, 'VALIDATION_FAILED');
    await refused('POST', '/v1/programmes', who.unregistered, { programmeId: 'hy-2024', name: 'x', bureau: '黄岩', quota: 1 }, 403, 'BUREAU_NOT_REGISTERED');
    t.match((await must('GET', '/v1/programmes/tz-2024', who.tz.officer)).body, { state: { bureauCode: '331000' } });
    t.match((await must('GET', '/v1/programmes/jj-2024', who.jj.officer)).body, { state: { bureauCode: '331002' } });
    for (const id of ['tz-2024', 'ls-2024']) await must('POST', `/v1/programmes/${id}/solicitation/opening`, id.startsWith('tz') ? who.tz.officer : who.ls.officer, { opensOn: '2024-03-01', closesOn: '2024-05-31' });
    // Another bureau's programme id cannot be taken, and does not say it exists.
    await refused('POST', '/v1/programmes', who.ls.officer, { programmeId: 'tz-2024', name: 'x', bureau: 'x', quota: 1 }, 404, 'PROGRAMME_NOT_FOUND');
    await refused('POST', '/v1/programmes', who.tz.officer, { programmeId: 'jj-2024', name: 'x', bureau: 'x', quota: 1 }, 403, 'BUREAU_FORBIDDEN');

    // Proposals to Taizhou's programme: one naming Jiaojiang's bureau, one naming the county only by name.
    clock.set('2024-04-01T02:00:00Z');
    const proposal = (projectId: string, extra: Record<string, unknown>) => ({
      projectId, title: `Project ${projectId}`, leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: LEAD }, partners: [], industry: 'pumps',
      county: '椒江区', principalInvestigator: { name: 'Wang Wei' }, keyTechnologies: ['hydraulics'], requestedFunding: 300_000_000, ...extra,
    });
    await must('POST', '/v1/programmes/tz-2024/proposals', who.tz.officer, proposal('p-tz-1', { countyCode: '331002' }));
    await must('POST', '/v1/programmes/tz-2024/proposals', who.tz.officer, proposal('p-tz-2', { county: '椒江区科学技术局' }));
    await must('POST', '/v1/programmes/ls-2024/proposals', who.ls.officer, proposal('p-ls-1', { countyCode: '331102' }));
    await refused('POST', '/v1/programmes/tz-2024/proposals', who.tz.officer, proposal('p-tz-3', { countyCode: '331102' }), 409, 'COUNTY_NOT_UNDER_BUREAU');
    await refused('POST', '/v1/programmes/tz-2024/proposals', who.ls.officer, proposal('p-ls-2', {}), 404, 'NOT_FOUND');
    t.match((await must('GET', '/v1/projects/p-tz-1', who.tz.officer)).body, { state: { bureauCode: '331000', countyCode: '331002' } });
    t.match((await must('GET', '/v1/projects/p-tz-2', who.tz.officer)).body, { state: { bureauCode: '331000', countyCode: null } });

    // The other city: 404 on every command and read, with the body of a missing id.
    const missingProject = await call('POST', '/v1/projects/p-nope/formal-review', { token: who.ls.officer, body: { passed: true } });
    sameAsMissing(await refused('POST', '/v1/projects/p-tz-1/formal-review', who.ls.officer, { passed: true }, 404, 'PROJECT_NOT_FOUND'), missingProject);
    const missingProgramme = await call('POST', '/v1/programmes/nope/solicitation/closing', { token: who.ls.officer, body: { closedOn: '2024-04-01' } });
    sameAsMissing(await refused('POST', '/v1/programmes/tz-2024/solicitation/closing', who.ls.officer, { closedOn: '2024-04-01' }, 404, 'PROGRAMME_NOT_FOUND'), missingProgramme);
    await refused('POST', '/v1/projects/p-tz-1/approval', who.ls.approver, {}, 404, 'NOT_FOUND');
    await refused('POST', '/v1/projects/p-tz-1/grants/r1', who.ls.finance, {}, 404, 'PROJECT_NOT_FOUND');
    await refused('POST', '/v1/programmes/tz-2024/selection-slots/p-tz-1/release', who.ls.approver, { reason: 'x' }, 404, 'PROGRAMME_NOT_FOUND');
    await refused('GET', '/v1/projects/p-tz-1', who.ls.auditor, undefined, 404, 'NOT_FOUND');
    await refused('GET', '/v1/programmes/tz-2024', who.ls.officer, undefined, 404, 'NOT_FOUND');
    await refused('POST', '/v1/projects/p-tz-1/recommendation', who.ld.officer, { county: '莲都区' }, 404, 'PROJECT_NOT_FOUND');

    // The province reads everything below it, and commands none of it.
    await must('GET', '/v1/projects/p-tz-1', who.zj.auditor);
    await must('GET', '/v1/programmes/ls-2024', who.zj.officer);
    await refused('POST', '/v1/projects/p-tz-1/formal-review', who.zj.officer, { passed: true }, 403, 'BUREAU_FORBIDDEN');
    await refused('POST', '/v1/programmes/ls-2024/solicitation/closing', who.zj.officer, { closedOn: '2024-04-01' }, 403, 'BUREAU_FORBIDDEN');
    // A city reads its county's programme, and does not command it.
    await must('GET', '/v1/programmes/jj-2024', who.tz.officer);
    await refused('POST', '/v1/programmes/jj-2024/solicitation/opening', who.tz.officer, { opensOn: '2024-03-01', closesOn: '2024-05-31' }, 403, 'BUREAU_FORBIDDEN');
    // The county reads neither its city's programme nor its projects.
    await refused('GET', '/v1/projects/p-tz-1', who.jj.officer, undefined, 404, 'NOT_FOUND');
    await refused('POST', '/v1/projects/p-tz-1/formal-review', who.jj.officer, { passed: true }, 404, 'PROJECT_NOT_FOUND');

    // …but recommends the projects of its county to its city's programme.
    await must('POST', '/v1/projects/p-tz-1/recommendation', who.jj.officer, { county: '椒江区', comment: '区重点企业' });
    await must('POST', '/v1/projects/p-tz-2/recommendation', who.jj.officer, { county: '椒江区' });
    t.match((await must('GET', '/v1/projects/p-tz-1', who.tz.officer)).body, { state: { countyRecommendation: '椒江区' } });
    await refused('POST', '/v1/projects/p-ls-1/recommendation', who.jj.officer, { county: '椒江区' }, 404, 'PROJECT_NOT_FOUND');
    await must('POST', '/v1/projects/p-ls-1/recommendation', who.ld.officer, { county: '莲都区' });

    // Money: each city's R3 cap for the same institution is its own ledger.
    const r3 = `/v1/subsidy-ledgers/r3/${INSTITUTION}/2024`;
    const tx = (programmeId: string, transactionId: string) => ({ programmeId, transactionId, amount: 400_000_000, occurredOn: '2024-03-10', inCity: true, description: 'licence brokered' });
    await must('POST', `${r3}/transactions`, who.tz.finance, tx('tz-2024', 't1'));
    await must('POST', `${r3}/transactions`, who.ls.finance, tx('ls-2024', 't1'));
    await refused('POST', `${r3}/transactions`, who.ls.finance, tx('tz-2024', 't2'), 404, 'NOT_FOUND');
    const tzLedger = await must('GET', r3, who.tz.finance);
    const lsLedger = await must('GET', r3, who.ls.finance);
    t.equal(tzLedger.body.stream, `r3-${INSTITUTION}-2024`, "the legacy bureau's ledger keeps its name");
    t.equal(lsLedger.body.stream, `r3-331100-${INSTITUTION}-2024`);
    t.match(lsLedger.body, { state: { bureauCode: '331100', entitlement: 20_000_000 } });
    t.match(tzLedger.body, { state: { bureauCode: '331000', entitlement: 20_000_000 } });
    await refused('GET', `${r3}?bureau=331000`, who.ls.finance, undefined, 404, 'NOT_FOUND');
    t.match((await must('GET', `${r3}?bureau=331100`, who.zj.auditor)).body, { stream: `r3-331100-${INSTITUTION}-2024` });
    await refused('POST', `${r3}/transactions/t1/reversal`, who.jj.finance, { reversedOn: '2024-04-01', reason: 'x' }, 404, 'LEDGER_ENTRY_NOT_FOUND');

    const payee = { name: 'Institution', creditCode: INSTITUTION };
    await must('POST', '/v1/disbursements', who.ls.finance, { disbursementId: 'ls-r3-t1', entitlement: { rule: 'R3', creditCode: INSTITUTION, year: 2024, transactionId: 't1' }, payee });
    t.match((await must('GET', '/v1/disbursements/ls-r3-t1', who.ls.finance2)).body, { state: { entitlement: { rule: 'R3', bureauCode: '331100' }, amount: 20_000_000 } });
    await refused('POST', '/v1/disbursements', who.tz.finance, { disbursementId: 'tz-r3-x', entitlement: { rule: 'R3', bureauCode: '331100', creditCode: INSTITUTION, year: 2024, transactionId: 't1' }, payee }, 404, 'ENTITLEMENT_NOT_FOUND');
    // An R1 or R2 entitlement of another city's project answers as one of a project that does not
    // exist (ENTITLEMENT_NOT_FOUND, not PROJECT_NOT_FOUND, which told that the project exists elsewhere).
    for (const entitlement of [{ rule: 'R1' }, { rule: 'R2', creditCode: LEAD, year: 2024, paymentId: 'pay1' }]) {
      const ask = (projectId: string) => ({ disbursementId: 'ls-x', entitlement: { ...entitlement, projectId }, payee: { name: 'Taizhou Pump Co.', creditCode: LEAD } });
      const missing = await call('POST', '/v1/disbursements', { token: who.ls.finance, body: ask('p-nope') });
      const other = await refused('POST', '/v1/disbursements', who.ls.finance, ask('p-tz-1'), 404, 'ENTITLEMENT_NOT_FOUND');
      t.equal(String(other.body.detail).replace('p-tz-1', 'p-nope'), missing.body.detail, `${entitlement.rule}: the detail of a missing project's`);
      sameAsMissing({ body: { ...other.body, detail: missing.body.detail } }, missing);
    }
    const missingDisbursement = await call('POST', '/v1/disbursements/nope/approval', { token: who.tz.finance2, body: {} });
    sameAsMissing(await refused('POST', '/v1/disbursements/ls-r3-t1/approval', who.tz.finance2, {}, 404, 'DISBURSEMENT_NOT_FOUND'), missingDisbursement);
    await refused('GET', '/v1/disbursements/ls-r3-t1', who.tz.finance, undefined, 404, 'NOT_FOUND');
    await refused('POST', '/v1/disbursements/ls-r3-t1/cancellation', who.zj.finance, { reason: 'x' }, 403, 'BUREAU_FORBIDDEN');
    await must('POST', '/v1/disbursements/ls-r3-t1/approval', who.ls.finance2, {});
    await must('POST', '/v1/disbursements/ls-r3-t1/payment', who.ls.finance, { bankReference: 'LS-2024-0001', paidOn: '2024-04-02' });
    await refused('GET', '/v1/bank-references/LS-2024-0001', who.tz.finance, undefined, 404, 'NOT_FOUND');
    await must('GET', '/v1/bank-references/LS-2024-0001', who.zj.auditor);
    t.match((await must('GET', r3, who.tz.finance)).body, { state: { entitlement: 20_000_000, claims: {} } }, "Taizhou's ledger knows nothing of Lishui's payment");

    // A merged bureau keeps its records under the survivor and issues no new command.
    await refused('POST', '/v1/bureaus/331102/merge', who.tz.admin, { into: '331100' }, 404, 'BUREAU_NOT_FOUND');
    await must('POST', '/v1/bureaus/331102/merge', who.ls.admin, { into: '331100' });
    await refused('POST', '/v1/programmes', who.ld.officer, { programmeId: 'ld-2024', name: 'x', bureau: '莲都', quota: 1 }, 403, 'BUREAU_MERGED');
    t.match((await must('GET', '/v1/bureaus/331100', who.ls.auditor)).body, { bureau: { children: [{ code: '331102', mergedInto: '331100', path: '330000.331100.331102' }] } });
  });
}
