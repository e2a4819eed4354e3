import fc from 'fast-check';
import t from 'tap';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, projectInPromotion } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

/**
 * A model-based test of the money corrections (issue 19): random interleavings, some in parallel,
 * of requests, approvals and rejections of bank-reference corrections of contract payments and of
 * paid disbursements, racing new payments for the same references, over real HTTP. After every
 * batch: no two payments hold one bank reference, the registry's live claim of each reference is
 * the payment that holds it (and nothing else holds a claim), and no correction was approved by
 * the person who requested it.
 */
const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

const REFS = ['MC-1', 'MC-2', 'MC-3', 'MC-4', 'MC-5', 'MC-6', 'MC-7'];
const PAYMENTS = [
  { projectId: 'm-a', paymentId: 'pay1' },
  { projectId: 'm-a', paymentId: 'pay2' },
  { projectId: 'm-b', paymentId: 'pay1' },
] as const;
const DISBURSEMENTS = ['r1-m-a', 'r1-m-b'] as const;
const POOL = 3;
const RUNS = 5;

type Target = { kind: 'payment'; p: number } | { kind: 'disbursement'; d: number };
type Command =
  | { kind: 'request'; target: Target; ref: number; by: number; c: number }
  | { kind: 'approve' | 'reject'; target: Target; by: number; c: number }
  | { kind: 'pay'; ref: number };

const target: fc.Arbitrary<Target> = fc.oneof(
  fc.record({ kind: fc.constant('payment' as const), p: fc.nat(PAYMENTS.length - 1) }),
  fc.record({ kind: fc.constant('disbursement' as const), d: fc.nat(DISBURSEMENTS.length - 1) }),
);
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('request' as const), target, ref: fc.nat(REFS.length - 1), by: fc.nat(2), c: fc.nat(POOL - 1) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('approve' as const), target, by: fc.nat(2), c: fc.nat(POOL - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reject' as const), target, by: fc.nat(2), c: fc.nat(POOL - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pay' as const), ref: fc.nat(REFS.length - 1) }) },
);

for (const kind of kinds) {
  t.test(`${kind}: random interleavings of money corrections keep four eyes and each bank reference paid once`, async (t) => {
    const clock = testClock('2019-10-10T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const call = caller(system.url);
    const people = await cast(system);
    const at = (iso: string) => clock.set(iso);
    const must = async (path: string, token: string, body: unknown) => {
      const res = await call('POST', path, { token, body });
      if (res.status >= 300) throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
    };
    await launchProgramme(call, people, 'tz-m', 10, at);
    await projectInPromotion(call, people, 'tz-m', 'm-a', CODES.lead, at);
    await projectInPromotion(call, people, 'tz-m', 'm-b', CODES.lead, at);
    clock.set('2019-10-10T02:00:00Z');
    for (const [i, id] of DISBURSEMENTS.entries()) {
      await must(`/v1/projects/${id.slice(3)}/grants/r1`, people.fay, {});
      await must(`/v1/disbursements/${id}/approval`, people.gus, {});
      await must(`/v1/disbursements/${id}/payment`, people.fay, { bankReference: `MD-${i}`, paidOn: '2019-10-10' });
    }
    for (const [i, p] of PAYMENTS.entries()) {
      await must(`/v1/projects/${p.projectId}/contracts/c1/payments`, people.alice, { paymentId: p.paymentId, amount: 100_000_000, bankReference: `MP-${i}`, paidOn: '2019-10-01' });
    }
    // The finance officers who request and approve; alice requests only (an officer approves no money).
    const requesters = [people.fay, people.gus, people.alice];
    const approvers = [people.fay, people.gus, people.fay];
    const holders = new Map<string, string>();

    let run = 0;
    let extra = 0;
    const statuses = new Map<number, number>();
    const one = async (c: Command, prefix: string) => {
      if (c.kind === 'pay') {
        const paymentId = `${prefix}-x${++extra}`;
        return call('POST', '/v1/projects/m-b/contracts/c1/payments', { token: people.alice, body: { paymentId, amount: 1_000_000, bankReference: REFS[c.ref], paidOn: '2019-10-05' } });
      }
      const base = c.target.kind === 'payment' ? `/v1/projects/${PAYMENTS[c.target.p]!.projectId}/money-corrections` : `/v1/disbursements/${DISBURSEMENTS[c.target.d]}/corrections`;
      const id = `${prefix}-${c.target.kind === 'payment' ? `p${c.target.p}` : `d${c.target.d}`}-c${c.c}`;
      if (c.kind === 'request') {
        const correction = c.target.kind === 'payment' ? { kind: 'payment_bank_reference', paymentId: PAYMENTS[c.target.p]!.paymentId, bankReference: REFS[c.ref] } : { kind: 'bank_reference', bankReference: REFS[c.ref] };
        // Disbursement corrections are finance's alone.
        const token = c.target.kind === 'disbursement' && c.by === 2 ? people.gus : requesters[c.by]!;
        return call('POST', base, { token, body: { correctionId: id, correction, reason: '流水号录入错误' } });
      }
      if (c.kind === 'approve') return call('POST', `${base}/${id}/approval`, { token: approvers[c.by]!, body: {} });
      return call('POST', `${base}/${id}/rejection`, { token: approvers[c.by]!, body: { comment: '驳回' } });
    };

    /** Every payment's bank reference now, read through the API; and the registry's live claims, from the store. */
    const check = async () => {
      holders.clear();
      const held: Array<[string, string]> = [];
      for (const projectId of ['m-a', 'm-b']) {
        const payments = ((await call('GET', `/v1/projects/${projectId}`, { token: people.fay })).body.state as { payments: Record<string, { bankReference: string }> }).payments;
        for (const [paymentId, p] of Object.entries(payments)) held.push([p.bankReference, `contract_payment:${projectId}.${paymentId}`]);
      }
      for (const id of DISBURSEMENTS) held.push([((await call('GET', `/v1/disbursements/${id}`, { token: people.fay })).body.state as { bankReference: string }).bankReference, `disbursement:${id}`]);
      for (const [ref, who] of held) {
        if (holders.has(ref)) throw new Error(`bank reference ${ref} is held by ${holders.get(ref)} and ${who}`);
        holders.set(ref, who);
      }
      const refs = new Set([...REFS, ...held.map(([ref]) => ref), 'MD-0', 'MD-1', 'MP-0', 'MP-1', 'MP-2']);
      for (const ref of refs) {
        let live: string | null = null;
        const events = await system.store.readStream(`bank-reference-${ref}`).catch(() => []);
        for (const e of events) {
          const claimant = (e.data as { claimant: { kind: string; id: string } }).claimant;
          if (e.type === 'BankReferenceClaimed') {
            if (live !== null) throw new Error(`${ref} claimed by ${claimant.id} while ${live} holds it`);
            live = `${claimant.kind}:${claimant.id}`;
          } else if (e.type === 'BankReferenceReleased') live = null;
        }
        if (live !== (holders.get(ref) ?? null)) throw new Error(`${ref}: the registry's live claim is ${live}, the payment holding it is ${holders.get(ref) ?? 'none'}`);
      }
      for (const stream of ['project-m-a', 'project-m-b', ...DISBURSEMENTS.map((d) => `disbursement-${d}`)]) {
        for (const e of await system.store.readStream(stream)) {
          if (e.type !== 'MoneyCorrectionApproved' && e.type !== 'DisbursementCorrectionApproved') continue;
          const d = e.data as { requestedBy: string; approvedBy: string };
          if (d.requestedBy === d.approvedBy) throw new Error(`${stream}: a correction approved by its requester ${d.approvedBy}`);
        }
      }
    };

    let approved = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(command, { minLength: 1, maxLength: 4 }), { minLength: 5, maxLength: 10 }), async (batches) => {
        const prefix = `run${++run}`;
        for (const batch of batches) {
          const answers = await Promise.all(batch.map((c) => one(c, prefix)));
          for (const [i, res] of answers.entries()) {
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (batch[i]!.kind === 'approve' && res.status === 200) approved++;
            const allowed = [200, 201, 403, 409, 412].includes(res.status) || (res.status === 404 && res.body.code === 'CORRECTION_NOT_FOUND');
            if (!allowed) throw new Error(`${JSON.stringify(batch[i])} → ${res.status} ${JSON.stringify(res.body)}`);
            if (res.status === 403 && res.body.code !== 'FOUR_EYES_VIOLATION') throw new Error(`${JSON.stringify(batch[i])} → 403 ${String(res.body.code)}`);
          }
          await check();
        }
      }),
      { numRuns: RUNS, seed: Number(process.env.CORRECTIONS_MODEL_SEED ?? 1919), endOnFailure: true },
    );
    t.comment(`answers: ${JSON.stringify(Object.fromEntries(statuses))}; corrections approved: ${approved}`);
    t.ok(approved > 0, 'some corrections were approved');
    t.ok((statuses.get(403) ?? 0) > 0, 'some approvals were refused as the requester’s own');
    t.ok((statuses.get(409) ?? 0) > 0, 'some were refused by a rule (a reference taken, a correction no longer pending)');
    t.notOk(statuses.has(500), 'never a 500');
  });
}
