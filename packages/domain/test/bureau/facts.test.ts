import t from 'tap';
import { ledgerOf } from '../../src/subsidy/contract-payment.js';
import { programmeDecider } from '../../src/programme/decider.js';
import { programmeSnapshot } from '../../src/programme/state.js';
import { projectDecider } from '../../src/project/decider.js';
import { taizhouPolicy } from '../../src/policy.js';
import { entitlementStream } from '../../src/entitlement/entitlement.js';
import { r2EntitlementView, r2LedgerDecider } from '../../src/subsidy/r2-ledger.js';
import { programmeCmd } from '../fixtures/commands.js';
import { codes } from '../fixtures/fixtures.js';
import { fold, history, specFor } from '../fixtures/given.js';
import { programme, submit } from '../fixtures/project-story.js';

const givenProject = specFor(projectDecider);

t.test('a programme belongs to the bureau that launched it, and its projects too', async (t) => {
  const launched = history(programmeDecider, [
    programmeCmd('LaunchProgramme', { programmeId: 'jj-2024', name: '椒江区2024年度技术攻关', bureau: '椒江区科学技术局', bureauCode: '331002', quota: 3, focusIndustries: [], policy: taizhouPolicy }),
    programmeCmd('OpenSolicitation', { opensOn: '2018-05-01', closesOn: '2018-07-31' }),
  ]);
  t.match(launched[0], { type: 'ProgrammeLaunched', data: { bureauCode: '331002' } });
  const snapshot = programmeSnapshot(fold(programmeDecider, launched));
  t.equal(snapshot?.bureauCode, '331002');
  const submitted = projectDecider.decide({ ...submit, data: { ...submit.data, programme: snapshot! } }, projectDecider.initialState);
  t.match(submitted, [{ type: 'ProjectSubmitted', data: { bureauCode: '331002' } }]);
  t.notOk('countyCode' in (submitted[0]!.data as object));
  t.equal(fold(projectDecider, submitted).bureauCode, '331002');
});

t.test('a proposal may name its county bureau: a county-level code in the programme bureau\'s province', async (t) => {
  const withCounty = (countyCode: string) => ({ ...submit, data: { ...submit.data, countyCode } });
  givenProject([]).when(withCounty('331081')).then(t, [{ type: 'ProjectSubmitted', data: { bureauCode: '331000', countyCode: '331081' } }]);
  t.equal(fold(projectDecider, projectDecider.decide(withCounty('331081'), projectDecider.initialState)).countyCode, '331081');
  givenProject([]).when(withCounty('331100')).then(t, 'COUNTY_NOT_UNDER_BUREAU');
  givenProject([]).when(withCounty('320102')).then(t, 'COUNTY_NOT_UNDER_BUREAU');
});

t.test('a city and a county cap the same enterprise separately: their R2 ledgers are two streams', async (t) => {
  t.equal(ledgerOf({ enterpriseCreditCode: codes.lead, paidOn: '2019-10-08' }, '331000'), `subsidy-${codes.lead}-2019`);
  t.equal(ledgerOf({ enterpriseCreditCode: codes.lead, paidOn: '2019-10-08' }, '331081'), `subsidy-331081-${codes.lead}-2019`);
  t.equal(entitlementStream({ rule: 'R2', creditCode: codes.lead, year: 2019, projectId: 'p', paymentId: 'x' }), `subsidy-${codes.lead}-2019`);
  t.equal(entitlementStream({ rule: 'R2', bureauCode: '331081', creditCode: codes.lead, year: 2019, projectId: 'p', paymentId: 'x' }), `subsidy-331081-${codes.lead}-2019`);
  t.equal(entitlementStream({ rule: 'R3', bureauCode: '331081', creditCode: codes.lead, year: 2019, transactionId: 'x' }), `r3-331081-${codes.lead}-2019`);
  // A ledger of one bureau does not hold another bureau's entitlement.
  const opened = r2LedgerDecider.decide(
    { type: 'AssessR2Payment', actor: { id: 'f', role: 'finance' }, at: '2019-10-09T02:00:00Z', data: { bureauCode: '331081', creditCode: codes.lead, year: 2019, policy: taizhouPolicy, paymentId: 'x', projectId: 'p', contractId: 'c', amount: 200_000_000, paidOn: '2019-10-08', bankReference: 'R1' } },
    r2LedgerDecider.initialState,
  );
  const ledger = fold(r2LedgerDecider, opened);
  t.equal(ledger.bureauCode, '331081');
  t.equal(r2EntitlementView(ledger, { bureauCode: '331081', creditCode: codes.lead, year: 2019, projectId: 'p', paymentId: 'x' }).entitled, 10_000_000);
  t.equal(r2EntitlementView(ledger, { creditCode: codes.lead, year: 2019, projectId: 'p', paymentId: 'x' }).entitled, null);
  t.equal(programme.bureauCode, '331000');
});
