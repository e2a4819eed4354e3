import t from 'tap';
import { currentSchemaVersion, eventSchemas } from '../src/events.js';
import { parseEvent, upcast, yuanToFen } from '../src/upcasting.js';
import { projectDecider } from '../src/project/decider.js';
import { submitted } from './fixtures/project-story.js';

const current = submitted[0];
if (current === undefined || current.type !== 'ProjectSubmitted') throw new Error('fixture');
// Stored before bureaus (v3 and before): no bureauCode, no countyCode.
const { requestedFunding: _fen, bureauCode: _bureau, ...withoutFunding } = current.data;
const v1 = { type: 'ProjectSubmitted', schemaVersion: 1, data: { ...withoutFunding, requestedFundingYuan: 3_000_000 } };

t.test('ProjectSubmitted v1 (yuan) is upcast to v2 (fen)', async (t) => {
  t.equal(currentSchemaVersion.ProjectSubmitted, 4);
  const event = parseEvent(v1);
  t.equal(event.type, 'ProjectSubmitted');
  t.match(event, { data: { requestedFunding: 300_000_000 } });
  t.notOk('requestedFundingYuan' in event.data);
  t.equal(projectDecider.evolve(projectDecider.initialState, event.type === 'ProjectSubmitted' ? event : current).requestedFunding, 300_000_000);
  t.match(upcast({ ...v1, data: { ...v1.data, requestedFundingYuan: 1234.56 } }), { schemaVersion: 4, data: { requestedFunding: 123_456, bureauCode: '331000' } });
});

t.test('a current event parses unchanged', async (t) => {
  t.same(parseEvent({ type: 'ProjectSubmitted', schemaVersion: 4, data: JSON.parse(JSON.stringify(current.data)) }), current);
  t.same(Object.keys(currentSchemaVersion).sort(), Object.keys(eventSchemas).sort());
});

t.test('bad stored events are refused', async (t) => {
  t.throws(() => parseEvent({ type: 'Nope', schemaVersion: 1, data: {} }), /unknown event type/);
  t.throws(() => parseEvent({ type: 'ProjectSubmitted', schemaVersion: 5, data: {} }), /schema version 5/);
  t.throws(() => parseEvent({ type: 'ProjectSubmitted', schemaVersion: 1, data: [] }), /not an object/);
  t.throws(() => parseEvent({ ...v1, data: { ...v1.data, requestedFundingYuan: 1.234 } }), /two decimals/);
  t.throws(() => parseEvent({ type: 'ProjectSubmitted', schemaVersion: 4, data: { ...current.data, requestedFunding: 1.5 } }));
  t.throws(() => parseEvent({ type: 'ProjectSubmitted', schemaVersion: 4, data: { ...current.data, extra: true } }), 'unknown fields are refused');
  t.throws(() => parseEvent({ type: 'ProjectSubmitted', schemaVersion: 4, data: { ...current.data, bureauCode: 'Taizhou' } }), 'a bureau is a division code');
});

t.test('yuan to fen goes through decimal text', async (t) => {
  t.equal(yuanToFen(0.29), 29, '0.29 × 100 would be 28.999… in floating point');
  t.equal(yuanToFen('1000000.01'), 100_000_001);
  t.equal(yuanToFen(5), 500);
  t.throws(() => yuanToFen(-1));
  t.throws(() => yuanToFen('1e6'));
});

const by = { id: 'finance-sun', role: 'finance' };
const at = '2019-10-10T02:00:00.000Z';
const lead = { name: 'Taizhou Pump Co.', creditCode: '91331000MA28A1B2CY' };
const buyer = { name: 'Wenling Pumps Ltd', creditCode: '91331081148012345T' };

t.test('policies from before r2Beneficiary read back as paying the transferor (the project enterprise they paid)', async (t) => {
  const { r2Beneficiary: _b, ...oldPolicy } = current.data.policy;
  t.match(parseEvent({ type: 'ProjectSubmitted', schemaVersion: 2, data: { ...JSON.parse(JSON.stringify(current.data)), policy: oldPolicy } }), { data: { policy: { r2Beneficiary: 'transferor' } } });
  const launched = { by, at, programmeId: 'tz-2018', name: 'Ten majors', bureau: 'Bureau', quota: 10, focusIndustries: ['pumps'], policy: oldPolicy };
  t.match(parseEvent({ type: 'ProgrammeLaunched', schemaVersion: 1, data: launched }), { data: { policy: { r2Beneficiary: 'transferor' } } });
});

t.test('a v1 contract (buyer) reads back with the buyer as transferee and the lead enterprise as transferor', async (t) => {
  const v1Contract = { by, at, projectId: 'p-pump-01', contractId: 'c1', title: 'Licence', buyer, amount: 100, signedOn: '2019-09-01' };
  const event = parseEvent({ type: 'ConversionContractRegistered', schemaVersion: 1, data: v1Contract });
  t.match(event, { data: { transferor: null, transferee: buyer } });
  t.notOk('buyer' in event.data);
  const folded = [...submitted, event].reduce((s, e) => (projectDecider.evolve as (a: typeof s, b: typeof e) => typeof s)(s, e), projectDecider.initialState);
  t.same(folded.contracts.c1?.transferor, { name: current.data.leadEnterprise.name, creditCode: current.data.leadEnterprise.creditCode });
  t.same(folded.contracts.c1?.transferee, buyer);
});

t.test('a v1 free-form disbursement reads back naming no entitlement; a v1 R1 award still holds its grant', async (t) => {
  const v1Request = { by, at, disbursementId: 'r2-x', rule: 'R2', payee: lead, amount: 999_999_900, basis: 'whatever', requestedBy: 'finance-sun' };
  t.match(parseEvent({ type: 'DisbursementRequested', schemaVersion: 1, data: v1Request }), { data: { entitlement: null, basis: 'whatever', amount: 999_999_900 } });
  const award = { by, at, projectId: 'p-pump-01', disbursementId: 'r1-p-pump-01', payeeCreditCode: lead.creditCode, amount: 10_000_000 };
  const event = parseEvent({ type: 'SelectionGrantAwarded', schemaVersion: 1, data: award });
  t.match(event, { data: { impliesClaim: true } });
  const folded = [...submitted, event].reduce((s, e) => (projectDecider.evolve as (a: typeof s, b: typeof e) => typeof s)(s, e), projectDecider.initialState);
  t.match(folded.claims.R1, [{ disbursementId: 'r1-p-pump-01', amount: 10_000_000, status: 'requested' }], 'the old award was its claim: nothing more is owed');
});

t.test('a v1 R2 reversal (no projectId) still folds onto the payment it named', async (t) => {
  const reversal = { by, at, paymentId: 'pay1', reversedOn: '2019-12-01', reason: 'refund', entitlementBefore: 5, entitlementAfter: 0, clawback: 5 };
  const event = parseEvent({ type: 'R2ReversalAssessed', schemaVersion: 1, data: reversal });
  t.match(event, { type: 'R2ReversalAssessed', data: { paymentId: 'pay1' } });
  t.notOk('projectId' in event.data);
});

t.test('facts from before bureaus belong to the legacy bureau: every stored shape replays', async (t) => {
  const { bureauCode: _b, ...v2Launched } = { by, at, programmeId: 'tz-2018', name: 'Ten majors', bureau: '台州市科学技术局', bureauCode: '', quota: 10, focusIndustries: ['pumps'], policy: current.data.policy };
  const { r2Beneficiary: _r, ...v1Policy } = current.data.policy;
  t.match(parseEvent({ type: 'ProgrammeLaunched', schemaVersion: 2, data: v2Launched }), { data: { bureauCode: '331000', bureau: '台州市科学技术局' } });
  t.match(parseEvent({ type: 'ProgrammeLaunched', schemaVersion: 1, data: { ...v2Launched, policy: v1Policy } }), { data: { bureauCode: '331000', policy: { r2Beneficiary: 'transferor' } } });
  t.match(parseEvent({ type: 'ProgrammeLaunched', schemaVersion: 3, data: { ...v2Launched, bureauCode: '331002' } }), { data: { bureauCode: '331002' } }, 'v3 keeps its own bureau');
  const v3Submitted = JSON.parse(JSON.stringify(withoutFunding)) as Record<string, unknown>;
  const submitted = parseEvent({ type: 'ProjectSubmitted', schemaVersion: 3, data: { ...v3Submitted, requestedFunding: 300_000_000 } });
  t.match(submitted, { data: { bureauCode: '331000' } });
  t.notOk('countyCode' in submitted.data, 'a proposal of before named no county bureau');
  const state = projectDecider.evolve(projectDecider.initialState, submitted.type === 'ProjectSubmitted' ? submitted : current);
  t.equal(state.bureauCode, '331000');
  t.equal(state.countyCode, null);
  t.match(parseEvent({ type: 'ProjectSubmitted', schemaVersion: 2, data: { ...v3Submitted, requestedFunding: 1, policy: v1Policy } }), { data: { bureauCode: '331000', policy: { r2Beneficiary: 'transferor' } } });
  const opened = { by, at, creditCode: lead.creditCode, year: 2019, policy: { r2RateBps: 500, r2Threshold: 100_000_000, r2AnnualCap: 100_000_000, r2ThresholdMode: 'per_contract' } };
  t.match(parseEvent({ type: 'R2LedgerOpened', schemaVersion: 1, data: opened }), { data: { bureauCode: '331000', creditCode: lead.creditCode } });
  t.match(parseEvent({ type: 'R3LedgerOpened', schemaVersion: 1, data: { ...opened, policy: { r3RateBps: 500, r3AnnualCap: 50_000_000 } } }), { data: { bureauCode: '331000' } });
  t.throws(() => parseEvent({ type: 'R2LedgerOpened', schemaVersion: 2, data: opened }), 'v2 must carry its bureau');
  t.equal(currentSchemaVersion.ProgrammeLaunched, 3);
  t.equal(currentSchemaVersion.R2LedgerOpened, 2);
  t.equal(currentSchemaVersion.R3LedgerOpened, 2);
});
