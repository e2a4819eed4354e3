import t from 'tap';
import { currentSchemaVersion, entitlementStream, LEGACY_BUREAU_CODE, ledgerStream, parseLedgerStream, r2Ledger, r3Ledger, upcast, type EntitlementRef } from '@gongguan/domain';
import type { RecordedEvent } from '@gongguan/event-store';
import { closureReferences, ledgerName, LEGACY_BUREAU_CODE as SCRIPT_LEGACY, projectBureaus } from '../scripts/verify-bundle-money.mjs';
import { referencedStreams } from '../services/audit-api/src/bundle/closure.js';
import { bureauOfFirst } from '../services/audit-api/src/bureau/bureau-scope.js';
import { CODES } from './support/story.js';

/**
 * The standalone verifier (scripts/verify-bundle*.mjs) is Node's standard library only, so it keeps
 * its own copy of three rules the services take from one place: how a ledger is named by its bureau
 * (the domain's ledgerStream), which bureau a project is (its submission, upcast), and which streams
 * an event names under the bundle's closure (services/audit-api/src/bundle/closure.ts). The copies
 * are accepted; this test holds them equal, so a change to one side fails here until the other follows.
 */
const CITY = '330100';
const COUNTY = '331002';
const bureaus = [undefined, LEGACY_BUREAU_CODE, CITY, COUNTY] as const;
const creditCodes = [CODES.lead, CODES.partner];

t.equal(SCRIPT_LEGACY, LEGACY_BUREAU_CODE, 'one legacy bureau');

t.test('ledger names: the script names every ledger as the domain does', async (t) => {
  for (const bureau of bureaus) {
    for (const creditCode of creditCodes) {
      for (const year of [2018, 2026]) {
        const r2 = ledgerStream('R2', bureau ?? LEGACY_BUREAU_CODE, creditCode, year);
        const r3 = ledgerStream('R3', bureau ?? LEGACY_BUREAU_CODE, creditCode, year);
        t.equal(ledgerName('subsidy', bureau, creditCode, year), r2, `R2 ${bureau ?? '(none)'} ${creditCode} ${year}`);
        t.equal(ledgerName('r3', bureau, creditCode, year), r3);
        t.equal(r2Ledger.streamName(bureau ?? LEGACY_BUREAU_CODE, creditCode, year), r2, 'r2LedgerStream is the rule');
        t.equal(r3Ledger.streamName(bureau ?? LEGACY_BUREAU_CODE, creditCode, year), r3, 'r3LedgerStream is the rule');
        const named = bureau === undefined ? {} : { bureauCode: bureau };
        t.equal(entitlementStream({ rule: 'R2', ...named, creditCode, year, projectId: 'p1', paymentId: 'pay1' }), r2, 'an R2 entitlement names the same ledger');
        t.equal(entitlementStream({ rule: 'R3', ...named, creditCode, year, transactionId: 't1' }), r3, 'an R3 entitlement names the same ledger');
        t.same(parseLedgerStream(r2), { rule: 'R2', bureauCode: bureau ?? LEGACY_BUREAU_CODE, creditCode, year }, `${r2} reads back`);
        t.same(parseLedgerStream(r3), { rule: 'R3', bureauCode: bureau ?? LEGACY_BUREAU_CODE, creditCode, year }, `${r3} reads back`);
      }
    }
  }
  t.equal(ledgerStream('R2', LEGACY_BUREAU_CODE, CODES.lead, 2019), `subsidy-${CODES.lead}-2019`, "the legacy bureau's ledgers keep their names");
  t.equal(ledgerStream('R2', COUNTY, CODES.lead, 2019), `subsidy-${COUNTY}-${CODES.lead}-2019`);
  for (const notLedger of [`subsidy-${CODES.lead}`, `subsidy-031000-${CODES.lead}-2019`, `r3-${CODES.lead}-19`, 'project-p1', `subsidy-${CODES.lead.toLowerCase()}-2019`]) t.equal(parseLedgerStream(notLedger), undefined, `${notLedger} is no ledger`);
});

let revision = 0;
const event = (stream: string, type: string, data: Record<string, unknown>, schemaVersion = 1): RecordedEvent =>
  ({ id: `e${revision}`, stream, revision: revision++, type, schemaVersion, data, metadata: {} }) as unknown as RecordedEvent;

t.test("a project's bureau: the script's, the service's and the domain's upcast agree", async (t) => {
  const cases = [
    event('project-old', 'ProjectSubmitted', { projectId: 'old', programmeId: 'g' }, 3),
    event('project-city', 'ProjectSubmitted', { projectId: 'city', programmeId: 'g', bureauCode: CITY }, currentSchemaVersion.ProjectSubmitted),
    event('project-county', 'ProjectSubmitted', { projectId: 'county', programmeId: 'g', bureauCode: COUNTY, countyCode: COUNTY }, currentSchemaVersion.ProjectSubmitted),
    event('project-legacy', 'ProjectSubmitted', { projectId: 'legacy', programmeId: 'g', bureauCode: LEGACY_BUREAU_CODE }, currentSchemaVersion.ProjectSubmitted),
  ];
  const script = projectBureaus(cases);
  for (const e of cases) {
    const domain = (upcast(e).data as { bureauCode: string }).bureauCode;
    t.equal(script.get(e.stream), domain, `${e.stream}: the script reads ${domain}`);
    t.equal(bureauOfFirst(e), domain, `${e.stream}: the service reads ${domain}`);
  }
  t.equal(script.get('project-old'), LEGACY_BUREAU_CODE, 'a submission before bureaus is the legacy bureau');
});

t.test('the closure rule: the script names the streams the service names, event by event', async (t) => {
  const lead = CODES.lead;
  const ledgerOf = (bureau: string) => ledgerStream('R2', bureau, lead, 2019);
  const refs: EntitlementRef[] = [
    { rule: 'R1', projectId: 'p1' },
    { rule: 'R2', creditCode: lead, year: 2019, projectId: 'p1', paymentId: 'pay1' },
    { rule: 'R2', bureauCode: COUNTY, creditCode: lead, year: 2019, projectId: 'p1', paymentId: 'pay1' },
    { rule: 'R3', creditCode: lead, year: 2020, transactionId: 't1' },
    { rule: 'R3', bureauCode: CITY, creditCode: lead, year: 2020, transactionId: 't1' },
  ];
  const events = [
    event('programme-g', 'ProgrammeLaunched', { programmeId: 'g', bureauCode: CITY }),
    event('project-p1', 'ProjectSubmitted', { projectId: 'p1', programmeId: 'g', bureauCode: CITY }),
    event('project-p1', 'SelectionGrantAwarded', { disbursementId: 'd-r1', selection: { programmeId: 'g' } }),
    event('project-p1', 'ContractPaymentConfirmed', { paymentId: 'pay1', enterpriseCreditCode: lead, paidOn: '2019-10-08', bankReference: 'ICBC-1' }),
    event('project-p1', 'SubsidyAssessmentRecorded', { paymentId: 'pay1', ledgerStream: ledgerOf(CITY) }),
    event('project-p1', 'ContractPaymentReversed', { paymentId: 'pay1', originalBankReference: 'ICBC-1', bankReference: 'ICBC-R1' }),
    ...refs.map((entitlement) => event('disbursement-d1', 'DisbursementRequested', { disbursementId: 'd1', entitlement })),
    event('disbursement-d1', 'DisbursementPaid', { bankReference: 'BOC-1' }),
    event('bank-reference-BOC-1', 'BankReferenceClaimed', { bankReference: 'BOC-1', claimant: { kind: 'disbursement', id: 'd1' } }),
    event('bank-reference-ICBC-1', 'BankReferenceClaimed', { bankReference: 'ICBC-1', claimant: { kind: 'contract_payment', id: 'p1.pay1' } }),
    event(ledgerOf(CITY), 'R2PaymentAssessed', { projectId: 'p1', paymentId: 'pay1', bankReference: 'ICBC-1' }),
    event(ledgerOf(CITY), 'EntitlementClaimed', { disbursementId: 'd1', key: 'p1/pay1' }),
    event('project-p1', 'MoneyCorrectionApproved', { correctionId: 'c1', correction: { kind: 'payment_bank_reference', paymentId: 'pay1', bankReference: 'ICBC-2', previousBankReference: 'ICBC-1' } }),
    event('project-p1', 'MoneyCorrectionRequested', { correctionId: 'c2', correction: { kind: 'contract_amount', contractId: 'c1', amount: 1, previousAmount: 2 } }),
    event('disbursement-d1', 'DisbursementCorrectionApproved', { disbursementId: 'd1', correction: { kind: 'bank_reference', bankReference: 'BOC-2', previousBankReference: 'BOC-1' } }),
    event('bank-reference-ICBC-1', 'BankReferenceReleased', { bankReference: 'ICBC-1', claimant: { kind: 'contract_payment', id: 'p1.pay1' } }),
  ];
  let named = 0;
  for (const e of events) {
    for (const bureau of [LEGACY_BUREAU_CODE, CITY, COUNTY]) {
      const service = referencedStreams(e, bureau).sort();
      t.same(closureReferences(e, bureau).sort(), service, `${e.stream} ${e.type} (project of ${bureau})`);
      named += service.length;
    }
  }
  t.ok(named > 40, `the corpus names streams (${named})`);
  t.same(closureReferences(events[3]!, COUNTY), ['bank-reference-ICBC-1', ledgerOf(COUNTY)], "a payment names its project's bureau's ledger");
  t.same(closureReferences(events[0]!, CITY), [], 'a programme names nothing');
});
