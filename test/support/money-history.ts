import { creditCodeCheckChar, taizhouPolicy } from '@gongguan/domain';
import { START_POSITION, type RecordedEvent } from '@gongguan/event-store';
import { caller } from './api.js';
import { cast, CODES, launchProgramme, projectInPromotion, type Cast } from './story.js';
import type { RunningSystem } from './system.js';

type Call = ReturnType<typeof caller>;

/** A valid unified social credit code for test party `n` (GB 32100-2015 check character). */
export function partyCode(n: number): string {
  const first = `91331000MA2${String(n).padStart(6, '0')}`;
  return `${first}${creditCodeCheckChar(first) ?? ''}`;
}

/** Every event in the store, in store order (what a bundle's events.ndjson holds). */
export async function readEverything(system: RunningSystem): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  let after = START_POSITION;
  for (;;) {
    const page = await system.store.readAll({ after, limit: 10_000 });
    all.push(...page.events);
    after = page.position;
    if (page.caughtUp) return all;
  }
}

export interface MoneyApi {
  call: Call;
  people: Cast;
  must(method: string, path: string, token: string, body?: unknown): Promise<Record<string, unknown>>;
  /** Requests (the server sets the amount), approves and pays a disbursement of an entitlement; returns the amount paid. */
  disburse(id: string, entitlement: Record<string, unknown>, payee: string, bankReference: string): Promise<number>;
}

export async function moneyApi(system: RunningSystem): Promise<MoneyApi> {
  const call = caller(system.url);
  const people = await cast(system);
  const must = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await call(method, path, { token, body });
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  return {
    call,
    people,
    must,
    async disburse(id, entitlement, payee, bankReference) {
      await must('POST', '/v1/disbursements', people.fay, { disbursementId: id, entitlement, payee: { name: 'Payee', creditCode: payee } });
      await must('POST', `/v1/disbursements/${id}/approval`, people.gus, {});
      await must('POST', `/v1/disbursements/${id}/payment`, people.fay, { bankReference, paidOn: '2019-10-10' });
      const state = (await must('GET', `/v1/disbursements/${id}`, people.fay)).state as { amount: number };
      return state.amount;
    },
  };
}

/** Programmes `tz-v` (Taizhou's policy, per-contract threshold) and `tz-y` (per-year threshold). */
export async function launchBoth(api: MoneyApi, at: (iso: string) => void): Promise<void> {
  await launchProgramme(api.call, api.people, 'tz-v', 10, at);
  at('2018-05-01T02:00:00Z');
  await api.must('POST', '/v1/programmes', api.people.alice, {
    programmeId: 'tz-y', name: 'Programme tz-y', bureau: 'Taizhou S&T Bureau', quota: 10, focusIndustries: ['pumps'],
    policy: { ...taizhouPolicy, r2ThresholdMode: 'per_year' },
  });
  await api.must('POST', '/v1/programmes/tz-y/solicitation/opening', api.people.alice, { opensOn: '2018-05-01', closesOn: '2018-07-31' });
}

export const Y_LEAD = partyCode(7001);
export const INSTITUTION = CODES.university;

/**
 * A clean money history over HTTP: R1 paid (one returned and paid again), R2 on a shared
 * per-contract ledger at its cap (a request cancelled, a refund with its clawback, a finding's
 * clawback), R2 on a per-year ledger refunded to nothing (its subsidy clawed back whole), and R3
 * with a reversal and its clawback.
 */
export async function cleanHistory(system: RunningSystem, at: (iso: string) => void): Promise<MoneyApi> {
  const api = await moneyApi(system);
  const { must, people, disburse } = api;
  await launchBoth(api, at);
  await projectInPromotion(api.call, people, 'tz-v', 'v-1', CODES.lead, at);
  await projectInPromotion(api.call, people, 'tz-v', 'v-2', CODES.lead, at);
  await projectInPromotion(api.call, people, 'tz-y', 'y-1', Y_LEAD, at);
  at('2019-10-10T02:00:00Z');
  const pay = (projectId: string, paymentId: string, amount: number, paidOn: string) =>
    must('POST', `/v1/projects/${projectId}/contracts/c1/payments`, people.alice, { paymentId, amount, bankReference: `BK-${projectId}-${paymentId}`, paidOn });
  const r2 = (creditCode: string, projectId: string, paymentId: string) => ({ rule: 'R2', creditCode, year: 2019, projectId, paymentId });

  // R1: v-1 paid; v-2 paid, returned by the bank, requested and paid again.
  for (const projectId of ['v-1', 'v-2']) {
    await must('POST', `/v1/projects/${projectId}/grants/r1`, people.fay, {});
    await must('POST', `/v1/disbursements/r1-${projectId}/approval`, people.gus, {});
    await must('POST', `/v1/disbursements/r1-${projectId}/payment`, people.fay, { bankReference: `R1-${projectId}`, paidOn: '2019-10-05' });
  }
  await must('POST', '/v1/disbursements/r1-v-2/reversal', people.fay, { reversedOn: '2019-10-06', reason: 'Account closed' });
  await disburse('r1-v-2-again', { rule: 'R1', projectId: 'v-2' }, CODES.lead, 'R1-V-2-AGAIN');

  // R2 per contract, one enterprise, cap 1,000,000 yuan: v-1 c1 3,500,000 yuan → 175,000; v-2 c1 18,000,000 → the cap's remaining 825,000.
  await pay('v-1', 'pay1', 200_000_000, '2019-10-01');
  await pay('v-1', 'pay2', 150_000_000, '2019-10-02');
  await pay('v-2', 'pay1', 1_800_000_000, '2019-10-03');
  await disburse('r2-v-1-pay1', r2(CODES.lead, 'v-1', 'pay1'), CODES.lead, 'R2-V-1-PAY1');
  await must('POST', '/v1/disbursements', people.fay, { disbursementId: 'r2-v-1-pay2-x', entitlement: r2(CODES.lead, 'v-1', 'pay2'), payee: { name: 'P', creditCode: CODES.lead } });
  await must('POST', '/v1/disbursements/r2-v-1-pay2-x/cancellation', people.gus, { reason: 'Wrong account' });
  await disburse('r2-v-1-pay2', r2(CODES.lead, 'v-1', 'pay2'), CODES.lead, 'R2-V-1-PAY2');
  await disburse('r2-v-2-pay1', r2(CODES.lead, 'v-2', 'pay1'), CODES.lead, 'R2-V-2-PAY1');
  // A finding claws 10,000 yuan back from v-2's subsidy (forfeited).
  await must('POST', '/v1/disbursements/r2-v-2-pay1/clawbacks', people.fay, { clawbackId: 'finding-1', amount: 1_000_000, decidedOn: '2019-10-10', reason: 'Audit finding', basis: 'Audit report 2019-10' });
  // v-1's pay1 is refunded: 1,500,000 yuan left on c1 → 75,000; the year falls to 975,000 yuan, 25,000 clawed back from pay1's subsidy.
  await must('POST', '/v1/projects/v-1/payments/pay1/reversal', people.alice, { reversedOn: '2019-10-10', reason: 'Refunded after a dispute' });

  // R2 per year: 600,000 + 500,000 yuan reach the threshold together → 55,000 yuan; the refund of the first leaves nothing.
  await pay('y-1', 'pay1', 60_000_000, '2019-10-01');
  await pay('y-1', 'pay2', 50_000_000, '2019-10-02');
  await disburse('r2-y-1-pay2', r2(Y_LEAD, 'y-1', 'pay2'), Y_LEAD, 'R2-Y-1-PAY2');
  await must('POST', '/v1/projects/y-1/payments/pay1/reversal', people.alice, { reversedOn: '2019-10-10', reason: 'Refunded' });

  // R3: 3,000,000 + 4,000,000 yuan in-city volume → 350,000 yuan; t1 reversed → 200,000, t1's 150,000 clawed back.
  for (const [id, amount] of [['t1', 300_000_000], ['t2', 400_000_000]] as const) {
    await must('POST', `/v1/subsidy-ledgers/r3/${INSTITUTION}/2019/transactions`, people.alice, { programmeId: 'tz-v', transactionId: id, amount, occurredOn: '2019-05-10', inCity: true, description: `Licence ${id}` });
    await disburse(`r3-${id}`, { rule: 'R3', creditCode: INSTITUTION, year: 2019, transactionId: id }, INSTITUTION, `R3-${id}`);
  }
  await must('POST', `/v1/subsidy-ledgers/r3/${INSTITUTION}/2019/transactions/t1/reversal`, people.alice, { reversedOn: '2019-10-10', reason: 'Transaction cancelled' });
  return api;
}
