import t from 'tap';
import type { DisbursementCommand, DomainEvent, ProgrammeCommand, ProjectCommand, R2LedgerCommand } from '../src/index.js';
import { bankReference, decideDisbursement, disbursement, r2EntitlementView, parseEvent, currentSchemaVersion, programme, programmeSnapshot, project, r2Ledger, yearOf } from '../src/index.js';
import { approver, codes, finance, finance2, finance3, officer, on } from './fixtures/fixtures.js';
import { inPublicity, withContract } from './fixtures/project-story.js';

/** A store round trip: what the event store would hold and give back. */
function stored(events: readonly DomainEvent[]) {
  return events.map((e) => ({ type: e.type, schemaVersion: currentSchemaVersion[e.type], data: JSON.parse(JSON.stringify(e.data)) as unknown }));
}

t.test('approval: reserve a place on the programme, then approve on the project', async (t) => {
  const launch: ProgrammeCommand = {
    type: 'LaunchProgramme',
    actor: officer,
    at: on('2018-04-20'),
    data: programme.commandSchemas.LaunchProgramme.parse({ programmeId: 'tz-2018', name: 'Ten majors', bureau: 'Taizhou S&T Bureau', bureauCode: '331000', quota: 1 }),
  };
  let programmeState = programme.decider.decide(launch, programme.decider.initialState).reduce(programme.decider.evolve, programme.decider.initialState);
  t.equal(programmeSnapshot(programmeState)?.policy.r1GrantAmount, 10_000_000);

  const reserve: ProgrammeCommand = { type: 'ReserveSelectionSlot', actor: approver, at: on('2018-07-17'), data: { projectId: 'p-pump-01' } };
  const reserved = programme.decider.decide(reserve, programmeState);
  programmeState = reserved.reduce(programme.decider.evolve, programmeState);
  const slot = reserved[0]?.type === 'SelectionSlotReserved' ? reserved[0].data : undefined;
  t.ok(slot);

  const projectState = stored(inPublicity).map(parseEvent).filter(project.isEvent).reduce(project.decider.evolve, project.decider.initialState);
  const approve: ProjectCommand = {
    type: 'ApproveProject',
    actor: approver,
    at: on('2018-07-17'),
    data: { selection: { programmeId: slot?.programmeId ?? '', slot: slot?.slot ?? 0, quota: slot?.quota ?? 0 } },
  };
  t.match(project.decider.decide(approve, projectState), [{ type: 'ProjectApproved', data: { slot: 1, quota: 1 } }]);
  t.throws(() => programme.decider.decide({ ...reserve, data: { projectId: 'p-other' } }, programmeState), { code: 'QUOTA_REACHED' });
  t.equal(programme.streamName('tz-2018'), 'programme-tz-2018');
});

t.test('R2: a bank payment on the project, assessed on the enterprise-year ledger, recorded back, then disbursed', async (t) => {
  let projectState = withContract.reduce(project.decider.evolve, project.decider.initialState);
  const confirm: ProjectCommand = {
    type: 'ConfirmContractPayment',
    actor: officer,
    at: on('2019-10-09'),
    data: { paymentId: 'pay1', contractId: 'c1', amount: 200_000_000, bankReference: 'ICBC-2019-0001', paidOn: '2019-10-08' },
  };
  const claim = bankReference.decider.decide(
    { type: 'ClaimBankReference', actor: officer, at: on('2019-10-09'), data: { bankReference: 'ICBC-2019-0001', claimant: { kind: 'contract_payment', id: 'p-pump-01.pay1' } } },
    bankReference.decider.initialState,
  );
  t.equal(claim.length, 1);
  const confirmed = project.decider.decide(confirm, projectState);
  projectState = confirmed.reduce(project.decider.evolve, projectState);
  const payment = confirmed[0]?.type === 'ContractPaymentConfirmed' ? confirmed[0].data : undefined;
  if (payment === undefined) throw new Error('expected a confirmed payment');

  const policy = projectState.policy;
  if (policy === null) throw new Error('a submitted project carries its policy');
  const year = yearOf(payment.paidOn);
  const assess: R2LedgerCommand = {
    type: 'AssessR2Payment',
    actor: finance,
    at: on('2019-10-09'),
    data: { bureauCode: projectState.bureauCode, creditCode: payment.enterpriseCreditCode, year, policy: { ...policy }, paymentId: payment.paymentId, projectId: payment.projectId, contractId: payment.contractId, amount: payment.amount, paidOn: payment.paidOn, bankReference: payment.bankReference },
  };
  const ledgerEvents = r2Ledger.decider.decide(assess, r2Ledger.decider.initialState);
  let ledger = ledgerEvents.reduce(r2Ledger.decider.evolve, r2Ledger.decider.initialState);
  const assessed = ledgerEvents.find((e) => e.type === 'R2PaymentAssessed');
  const granted = assessed?.type === 'R2PaymentAssessed' ? assessed.data.subsidyGranted : -1;
  t.equal(granted, 10_000_000, '2,000,000 yuan bank-paid → 100,000 yuan');
  t.equal(projectState.bureauCode, '331000');
  t.equal(r2Ledger.streamName(projectState.bureauCode, codes.lead, year), `subsidy-${codes.lead}-2019`, 'the legacy bureau keeps the ledger names of before');

  const recorded = project.decider.decide(
    { type: 'RecordSubsidyAssessment', actor: finance, at: on('2019-10-09'), data: { paymentId: 'pay1', step: 'payment', ledgerStream: r2Ledger.streamName('331000', codes.lead, year), subsidyGranted: granted, clawback: 0 } },
    projectState,
  );
  t.equal(recorded.length, 1);

  let d = disbursement.decider.initialState;
  const ref = { rule: 'R2' as const, creditCode: codes.lead, year, projectId: 'p-pump-01', paymentId: 'pay1' };
  const commands: DisbursementCommand[] = [
    { type: 'RequestDisbursement', actor: finance, at: on('2019-10-10'), data: { disbursementId: 'r2-pay1', entitlement: ref, payee: { name: 'Taizhou Pump Co.', creditCode: codes.lead } } },
    { type: 'ApproveDisbursement', actor: finance2, at: on('2019-10-11'), data: {} },
    { type: 'RecordDisbursementPayment', actor: finance3, at: on('2019-10-12'), data: { bankReference: 'BOC-2019-5550', paidOn: '2019-10-12' } },
  ];
  for (const command of commands) {
    // Decided on the disbursement and on the ledger entry it pays; both lists are one atomic append.
    const decided = decideDisbursement(command, d, r2EntitlementView(ledger, ref));
    d = decided.disbursement.reduce(disbursement.decider.evolve, d);
    ledger = decided.entitlement.reduce(r2Ledger.decider.evolve, ledger);
  }
  t.equal(d.status, 'paid');
  t.equal(d.amount, granted, 'the amount is what the entry granted');
  t.match(ledger.claims[`p-pump-01/pay1`], [{ disbursementId: 'r2-pay1', amount: granted, status: 'paid' }]);
});
