import fc from 'fast-check';
import t from 'tap';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, projectInPromotion } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

/**
 * A model-based test of "an entitlement is paid at most once, and paid − clawed back never exceeds
 * it": random interleavings (some in parallel) of request, approve, pay, cancel, bank return,
 * clawback and entitlement reversals across R1, R2 and R3 entitlements, over real HTTP.
 */
const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

const INSTITUTION = '12331000470000001L';
const lead = { name: 'Taizhou Pump Co.', creditCode: CODES.lead };
const ENTITLEMENTS = [
  { rule: 'R1', projectId: 'q-a' },
  { rule: 'R1', projectId: 'q-b' },
  { rule: 'R2', creditCode: CODES.lead, year: 2019, projectId: 'q-a', paymentId: 'pay1' },
  { rule: 'R2', creditCode: CODES.lead, year: 2019, projectId: 'q-a', paymentId: 'pay2' },
  { rule: 'R2', creditCode: CODES.lead, year: 2019, projectId: 'q-b', paymentId: 'pay1' },
  { rule: 'R3', creditCode: INSTITUTION, year: 2019, transactionId: 't1' },
  { rule: 'R3', creditCode: INSTITUTION, year: 2019, transactionId: 't2' },
] as const;
const REVERSIBLE = [2, 3, 4, 5, 6] as const;
const POOL = 4;
const RUNS = 6;

type Command =
  | { kind: 'request'; e: number; d: number }
  | { kind: 'flow'; e: number; d: number }
  | { kind: 'approve' | 'pay' | 'cancel' | 'return'; d: number }
  | { kind: 'clawback'; d: number; amount: number }
  | { kind: 'reverse'; r: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('request' as const), e: fc.nat(ENTITLEMENTS.length - 1), d: fc.nat(POOL - 1) }) },
  // request, approve and pay one after another (racing other commands of its batch)
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flow' as const), e: fc.nat(ENTITLEMENTS.length - 1), d: fc.nat(POOL - 1) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom('approve' as const, 'pay' as const), d: fc.nat(POOL - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('cancel' as const, 'return' as const), d: fc.nat(POOL - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clawback' as const), d: fc.nat(POOL - 1), amount: fc.integer({ min: 1, max: 3_000_000 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reverse' as const), r: fc.nat(REVERSIBLE.length - 1) }) },
);

interface DisbursementView {
  status: string;
  amount: number;
  clawedBack: number;
  entitlement: Record<string, unknown> | null;
}

for (const kind of kinds) {
  t.test(`${kind}: random interleavings never pay an entitlement twice nor beyond what it entitles`, async (t) => {
    const clock = testClock('2019-10-10T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const call = caller(system.url);
    const people = await cast(system);
    const at = (iso: string) => clock.set(iso);
    const must = async (path: string, token: string, body: unknown) => {
      const res = await call('POST', path, { token, body });
      if (res.status >= 300) throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
    };
    await launchProgramme(call, people, 'tz-q', 10, at);
    await projectInPromotion(call, people, 'tz-q', 'q-a', CODES.lead, at);
    await projectInPromotion(call, people, 'tz-q', 'q-b', CODES.lead, at);
    clock.set('2019-10-10T02:00:00Z');
    await must('/v1/projects/q-a/grants/r1', people.fay, {});
    await must('/v1/projects/q-b/grants/r1', people.fay, {});
    await must('/v1/projects/q-a/contracts/c1/payments', people.alice, { paymentId: 'pay1', amount: 200_000_000, bankReference: 'Q-A-0001', paidOn: '2019-10-01' });
    await must('/v1/projects/q-a/contracts/c1/payments', people.alice, { paymentId: 'pay2', amount: 150_000_000, bankReference: 'Q-A-0002', paidOn: '2019-10-02' });
    await must('/v1/projects/q-b/contracts/c1/payments', people.alice, { paymentId: 'pay1', amount: 1_800_000_000, bankReference: 'Q-B-0001', paidOn: '2019-10-03' });
    for (const [i, id] of ['t1', 't2'].entries()) {
      await must(`/v1/subsidy-ledgers/r3/${INSTITUTION}/2019/transactions`, people.alice, {
        programmeId: 'tz-q', transactionId: id, amount: 300_000_000 + i * 100_000_000, occurredOn: '2019-05-10', inCity: true, description: `Licence ${id}`,
      });
    }

    let run = 0;
    let paidSeen = 0;
    let bank = 0;
    const statuses = new Map<number, number>();
    const disbursementIds = new Set<string>(['r1-q-a', 'r1-q-b']);
    const execute = async (c: Command, prefix: string): Promise<Array<Awaited<ReturnType<typeof call>>>> => {
      if (c.kind !== 'flow') return [await one(c, prefix)];
      const answers = [await one({ ...c, kind: 'request' }, prefix)];
      answers.push(await one({ kind: 'approve', d: c.d }, prefix));
      answers.push(await one({ kind: 'pay', d: c.d }, prefix));
      return answers;
    };
    const one = async (c: Exclude<Command, { kind: 'flow' }>, prefix: string) => {
      const id = (d: number) => `${prefix}-d${d}`;
      const D = 'd' in c ? `/v1/disbursements/${id(c.d)}` : '';
      switch (c.kind) {
        case 'request': {
          const ref = ENTITLEMENTS[c.e]!;
          disbursementIds.add(id(c.d));
          const payee = ref.rule === 'R3' ? { name: 'Taizhou Tech Transfer Centre', creditCode: INSTITUTION } : lead;
          return call('POST', '/v1/disbursements', { token: people.fay, body: { disbursementId: id(c.d), entitlement: ref, payee } });
        }
        case 'approve':
          return call('POST', `${D}/approval`, { token: people.gus, body: {} });
        case 'pay':
          return call('POST', `${D}/payment`, { token: people.fay, body: { bankReference: `QB-${++bank}`, paidOn: '2019-10-10' } });
        case 'cancel':
          return call('POST', `${D}/cancellation`, { token: people.fay, body: { reason: 'model' } });
        case 'return':
          return call('POST', `${D}/reversal`, { token: people.fay, body: { reversedOn: '2019-10-10', reason: 'bank returned it' } });
        case 'clawback':
          return call('POST', `${D}/clawbacks`, { token: people.fay, body: { amount: c.amount, decidedOn: '2019-10-10', reason: 'audit', basis: 'model' } });
        case 'reverse': {
          const ref = ENTITLEMENTS[REVERSIBLE[c.r]!]!;
          if (ref.rule === 'R2') {
            return call('POST', `/v1/projects/${ref.projectId}/payments/${ref.paymentId}/reversal`, { token: people.alice, body: { reversedOn: '2019-10-10', reason: 'refunded' } });
          }
          if (ref.rule === 'R3') {
            return call('POST', `/v1/subsidy-ledgers/r3/${INSTITUTION}/2019/transactions/${ref.transactionId}/reversal`, { token: people.alice, body: { reversedOn: '2019-10-10', reason: 'cancelled' } });
          }
          throw new Error('R1 is not reversible');
        }
        default: {
          const never: never = c;
          throw new Error(`unknown command ${JSON.stringify(never)}`);
        }
      }
    };

    const entitled = async (ref: (typeof ENTITLEMENTS)[number]): Promise<number> => {
      if (ref.rule === 'R1') return ((await call('GET', `/v1/projects/${ref.projectId}`, { token: people.fay })).body.state as { r1: { amount: number } }).r1.amount;
      const path = ref.rule === 'R2' ? `/v1/subsidy-ledgers/r2/${ref.creditCode}/2019` : `/v1/subsidy-ledgers/r3/${ref.creditCode}/2019`;
      const entries = ((await call('GET', path, { token: people.fay })).body.state as { entries: Array<Record<string, unknown> & { entitlement: number }> }).entries;
      const entry = entries.find((e) => (ref.rule === 'R2' ? e.projectId === ref.projectId && e.paymentId === ref.paymentId : e.transactionId === ref.transactionId));
      return entry?.entitlement ?? 0;
    };

    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(command, { minLength: 1, maxLength: 4 }), { minLength: 6, maxLength: 14 }), async (batches) => {
        const prefix = `run${++run}`;
        for (const batch of batches) {
          const answers = await Promise.all(batch.map((c) => execute(c, prefix)));
          for (const [i, res] of answers.flatMap((list, i) => list.map((res) => [i, res] as const))) {
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            const allowed = [200, 201, 400, 409, 412].includes(res.status) || (res.status === 404 && res.body.code === 'DISBURSEMENT_NOT_FOUND');
            if (!allowed) throw new Error(`${JSON.stringify(batch[i])} → ${res.status} ${JSON.stringify(res.body)}`);
          }
        }
        const all = await Promise.all(
          [...disbursementIds].map(async (id) => {
            const res = await call('GET', `/v1/disbursements/${id}`, { token: people.fay });
            return res.status === 200 ? (res.body.state as DisbursementView) : null;
          }),
        );
        paidSeen += all.filter((d) => d?.status === 'paid').length;
        for (const ref of ENTITLEMENTS) {
          const paying = all.filter((d): d is DisbursementView => d !== null && d.status === 'paid' && JSON.stringify(d.entitlement) === JSON.stringify(ref));
          const net = paying.reduce((sum, d) => sum + d.amount - d.clawedBack, 0);
          const cap = await entitled(ref);
          if (net > cap) throw new Error(`${JSON.stringify(ref)}: paid − clawed back ${net} > entitled ${cap}`);
          if (paying.filter((d) => d.amount - d.clawedBack > 0).length > 1) throw new Error(`${JSON.stringify(ref)} is paid by more than one disbursement`);
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.MONEY_MODEL_SEED ?? 1616), endOnFailure: true },
    );
    t.comment(`answers: ${JSON.stringify(Object.fromEntries(statuses))}; paid disbursements seen after runs: ${paidSeen}`);
    t.ok(paidSeen > 0, 'money was paid');
    t.notOk(statuses.has(500), 'never a 500');
    t.ok((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0) > 0, 'some commands went through');
  });
}
