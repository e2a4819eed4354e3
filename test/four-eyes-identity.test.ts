import t from 'tap';
import { caller } from './support/api.js';
import { cast, launchProgramme } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

const INSTITUTION = '12331000470000001L';
const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

for (const kind of kinds) {
  t.test(`${kind}: four eyes compares normalised identities, so one person cannot pose as two`, async (t) => {
    const clock = testClock('2019-12-01T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const call = caller(system.url);
    const people = await cast(system);
    await launchProgramme(call, people, 'tz-4e');
    const recorded = await call('POST', `/v1/subsidy-ledgers/r3/${INSTITUTION}/2019/transactions`, {
      token: people.alice,
      body: { programmeId: 'tz-4e', transactionId: 't1', amount: 400_000_000, occurredOn: '2019-05-10', inCity: true, description: 'Licence brokered in the city' },
    });
    t.equal(recorded.status, 201, 'an R3 entitlement to pay');
    const requester = await system.token('finance', 'fin-a');
    const res = await call('POST', '/v1/disbursements', {
      token: requester,
      body: { disbursementId: 'd-1', entitlement: { rule: 'R3', creditCode: INSTITUTION, year: 2019, transactionId: 't1' }, payee: { name: 'Taizhou Transfer Centre', creditCode: INSTITUTION } },
    });
    t.equal(res.status, 201, 'fin-a requests d-1');
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
