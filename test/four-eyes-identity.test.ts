import t from 'tap';
import { caller } from './support/api.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

const LEAD = '91331000MA2AB12341';
const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

for (const kind of kinds) {
  t.test(`${kind}: four eyes compares normalised identities, so one person cannot pose as two`, async (t) => {
    const clock = testClock('2019-12-01T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const call = caller(system.url);
    const requester = await system.token('finance', 'fin-a');
    const request = async (id: string) => {
      const res = await call('POST', '/v1/disbursements', {
        token: requester,
        body: { disbursementId: id, rule: 'R2', payee: { name: 'Taizhou Pump Co.', creditCode: LEAD }, amount: 1_000_000, basis: `subsidy-${LEAD}-2019/${id}` },
      });
      t.equal(res.status, 201, `fin-a requests ${id}`);
    };
    await request('d-1');
    const approve = async (sub: string) => call('POST', '/v1/disbursements/d-1/approval', { token: await system.token('finance', sub), body: {} });

    for (const [sub, why] of [
      ['FIN-A', 'upper case'],
      ['fin-a ', 'a trailing space'],
      ['\u00a0fin-a', 'a leading no-break space'],
      ['ｆｉｎ－ａ', 'full-width letters (NFKC folds them)'],
    ] as const) {
      const res = await approve(sub);
      t.equal(res.status, 403, `${JSON.stringify(sub)} (${why}) is fin-a: 403`);
      t.equal(res.body.code, 'FOUR_EYES_VIOLATION');
    }
    for (const [sub, why] of [
      ['f\u0456n-a', 'Cyrillic і'],
      ['fin\u2010a', 'a Unicode hyphen'],
      ['fin-a\u200b', 'a zero-width space'],
      ['fin|a', 'the idempotency scoping separator'],
    ] as const) {
      const res = await approve(sub);
      t.equal(res.status, 401, `${JSON.stringify(sub)} (${why}) is refused as a subject`);
      t.equal(res.body.code, 'TOKEN_INVALID');
    }
    const state = await call('GET', '/v1/disbursements/d-1', { token: requester });
    t.match(state.body.state, { status: 'requested' }, 'still waiting for a second person');

    const other = await approve('Fin-B');
    t.equal(other.status, 200, 'someone else approves');
    const approved = await call('GET', '/v1/disbursements/d-1', { token: requester });
    t.match(approved.body.state, { status: 'approved', requestedBy: 'fin-a', approvedBy: 'fin-b' }, 'the approver is recorded in its normal form');
  });
}
