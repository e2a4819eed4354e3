import t from 'tap';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, projectInPromotion } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

const lead = { name: 'Taizhou Pump Co.', creditCode: CODES.lead };

for (const kind of kinds) {
  t.test(`${kind}: a disbursement pays a named entitlement, what it still owes, once (issue 16, findings 3, 4, 7)`, async (t) => {
    const clock = testClock('2019-10-10T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const call = caller(system.url);
    const people = await cast(system);
    const at = (iso: string) => clock.set(iso);
    await launchProgramme(call, people, 'tz-m', 10, at);
    await projectInPromotion(call, people, 'tz-m', 'm-1', CODES.lead, at);
    await projectInPromotion(call, people, 'tz-m', 'm-2', CODES.lead, at);
    clock.set('2019-10-10T02:00:00Z');
    const post = (path: string, token: string, body: unknown) => call('POST', path, { token, body });

    t.test('R1: the grant is paid once, however it is asked for', async (t) => {
      t.equal((await post('/v1/projects/m-1/grants/r1', people.fay, {})).status, 201);
      t.equal((await post('/v1/disbursements/r1-m-1/approval', people.gus, {})).status, 200);
      t.equal((await post('/v1/disbursements/r1-m-1/payment', people.fay, { bankReference: 'ICBC-M-0001', paidOn: '2019-10-10' })).status, 200);
      const again = await post('/v1/disbursements', people.fay, { entitlement: { rule: 'R1', projectId: 'm-1' }, payee: lead });
      t.equal(again.status, 409);
      t.equal(again.body.code, 'ENTITLEMENT_SETTLED');
      const freeForm = await post('/v1/disbursements', people.fay, { rule: 'R1', payee: lead, amount: 10_000_000, projectId: 'm-1', basis: 'again' });
      t.equal(freeForm.status, 400, 'a free rule, amount and basis are not accepted');
      const notAwarded = await post('/v1/disbursements', people.fay, { entitlement: { rule: 'R1', projectId: 'm-2' }, payee: lead });
      t.equal(notAwarded.status, 404);
      t.equal(notAwarded.body.code, 'ENTITLEMENT_NOT_FOUND');
      const typedAmount = await post('/v1/disbursements', people.fay, { entitlement: { rule: 'R1', projectId: 'm-1' }, payee: lead, amount: 999_999_900 });
      t.equal(typedAmount.status, 400, 'an amount is never typed in');
    });

    t.test('R2: no ledger, no subsidy; an entry is paid once; payment ids are per project', async (t) => {
      const noLedger = await post('/v1/disbursements', people.fay, {
        entitlement: { rule: 'R2', creditCode: CODES.partner, year: 2019, projectId: 'm-1', paymentId: 'pay1' },
        payee: { name: 'Zhejiang Valve Co.', creditCode: CODES.partner },
      });
      t.equal(noLedger.status, 404);
      t.equal(noLedger.body.code, 'ENTITLEMENT_NOT_FOUND');
      // Both projects confirm their own pay1 (2,000,000 and 4,000,000 yuan): two entries, two subsidies.
      const p1 = await post('/v1/projects/m-1/contracts/c1/payments', people.alice, { paymentId: 'pay1', amount: 200_000_000, bankReference: 'BOC-M-1001', paidOn: '2019-10-09' });
      const p2 = await post('/v1/projects/m-2/contracts/c1/payments', people.alice, { paymentId: 'pay1', amount: 400_000_000, bankReference: 'BOC-M-2001', paidOn: '2019-10-09' });
      t.equal(p1.status, 201);
      t.equal(p2.status, 201);
      const ledger = (await call('GET', `/v1/subsidy-ledgers/r2/${CODES.lead}/2019`, { token: people.fay })).body.state as { entries: unknown[]; entitlement: number };
      t.equal(ledger.entries.length, 2, 'the second pay1 is not taken as already assessed');
      t.equal(ledger.entitlement, 30_000_000, '100,000 + 200,000 yuan');
      const m2 = (await call('GET', '/v1/projects/m-2', { token: people.fay })).body;
      t.same(m2.pending, []);
      const ref = (projectId: string) => ({ rule: 'R2', creditCode: CODES.lead, year: 2019, projectId, paymentId: 'pay1' });
      const request = await post('/v1/disbursements', people.fay, { disbursementId: 'r2-m2', entitlement: ref('m-2'), payee: lead });
      t.equal(request.status, 201);
      t.equal(((await call('GET', '/v1/disbursements/r2-m2', { token: people.fay })).body.state as { amount: number }).amount, 20_000_000, 'm-2 pay1 owes its own 200,000 yuan');
      const duplicate = await post('/v1/disbursements', people.fay, { entitlement: ref('m-2'), payee: lead });
      t.equal(duplicate.status, 409, 'a second request for an entry already requested');
      t.equal(duplicate.body.code, 'ENTITLEMENT_SETTLED');
      const otherPayee = await post('/v1/disbursements', people.fay, { entitlement: ref('m-1'), payee: { name: 'X', creditCode: CODES.partner } });
      t.equal(otherPayee.body.code, 'PAYEE_MISMATCH');
      t.equal((await post('/v1/disbursements/r2-m2/cancellation', people.gus, { reason: 'wrong account' })).status, 200);
      t.equal((await post('/v1/disbursements', people.fay, { disbursementId: 'r2-m2b', entitlement: ref('m-2'), payee: lead })).status, 201, 'cancelled: owed again');
    });

    t.test('R2 goes to the transferee (受让方) by default: the enterprise that pays', async (t) => {
      const contract = await post('/v1/projects/m-1/contracts', people.alice, {
        contractId: 'c-sold', title: 'Licence sold', transferor: lead, transferee: { name: 'Wenling Pumps Ltd', creditCode: CODES.buyer }, amount: 400_000_000, signedOn: '2019-09-01',
      });
      t.equal(contract.status, 200, JSON.stringify(contract.body));
      t.equal((await post('/v1/projects/m-1/contracts/c-sold/payments', people.alice, { paymentId: 'sold1', amount: 200_000_000, bankReference: 'BOC-M-3001', paidOn: '2019-10-09' })).status, 201);
      const buyerLedger = await call('GET', `/v1/subsidy-ledgers/r2/${CODES.buyer}/2019`, { token: people.fay });
      t.equal((buyerLedger.body.state as { entitlement: number }).entitlement, 10_000_000, "the buyer's ledger assesses its payment");
      const neither = await post('/v1/projects/m-1/contracts', people.alice, {
        contractId: 'c-x', title: 'Not ours', transferor: { name: 'A', creditCode: CODES.partner }, transferee: { name: 'B', creditCode: CODES.buyer }, amount: 1, signedOn: '2019-09-01',
      });
      t.equal(neither.body.code, 'CONTRACT_PARTIES_INVALID');
    });
  });
}
