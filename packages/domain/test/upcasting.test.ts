import t from 'tap';
import { currentSchemaVersion, eventSchemas } from '../src/events.js';
import { parseEvent, upcast, yuanToFen } from '../src/upcasting.js';
import { projectDecider } from '../src/project/decider.js';
import { submitted } from './fixtures/project-story.js';

const current = submitted[0];
if (current === undefined || current.type !== 'ProjectSubmitted') throw new Error('fixture');
const { requestedFunding: _fen, ...withoutFunding } = current.data;
const v1 = { type: 'ProjectSubmitted', schemaVersion: 1, data: { ...withoutFunding, requestedFundingYuan: 3_000_000 } };

t.test('ProjectSubmitted v1 (yuan) is upcast to v2 (fen)', async (t) => {
  t.equal(currentSchemaVersion.ProjectSubmitted, 2);
  const event = parseEvent(v1);
  t.equal(event.type, 'ProjectSubmitted');
  t.match(event, { data: { requestedFunding: 300_000_000 } });
  t.notOk('requestedFundingYuan' in event.data);
  t.equal(projectDecider.evolve(projectDecider.initialState, event.type === 'ProjectSubmitted' ? event : current).requestedFunding, 300_000_000);
  t.match(upcast({ ...v1, data: { ...v1.data, requestedFundingYuan: 1234.56 } }), { schemaVersion: 2, data: { requestedFunding: 123_456 } });
});

t.test('a current event parses unchanged', async (t) => {
  t.same(parseEvent({ type: 'ProjectSubmitted', schemaVersion: 2, data: JSON.parse(JSON.stringify(current.data)) }), current);
  t.same(Object.keys(currentSchemaVersion).sort(), Object.keys(eventSchemas).sort());
});

t.test('bad stored events are refused', async (t) => {
  t.throws(() => parseEvent({ type: 'Nope', schemaVersion: 1, data: {} }), /unknown event type/);
  t.throws(() => parseEvent({ type: 'ProjectSubmitted', schemaVersion: 3, data: {} }), /schema version 3/);
  t.throws(() => parseEvent({ type: 'ProjectSubmitted', schemaVersion: 1, data: [] }), /not an object/);
  t.throws(() => parseEvent({ ...v1, data: { ...v1.data, requestedFundingYuan: 1.234 } }), /two decimals/);
  t.throws(() => parseEvent({ type: 'ProjectSubmitted', schemaVersion: 2, data: { ...current.data, requestedFunding: 1.5 } }));
  t.throws(() => parseEvent({ type: 'ProjectSubmitted', schemaVersion: 2, data: { ...current.data, extra: true } }), 'unknown fields are refused');
});

t.test('yuan to fen goes through decimal text', async (t) => {
  t.equal(yuanToFen(0.29), 29, '0.29 × 100 would be 28.999… in floating point');
  t.equal(yuanToFen('1000000.01'), 100_000_001);
  t.equal(yuanToFen(5), 500);
  t.throws(() => yuanToFen(-1));
  t.throws(() => yuanToFen('1e6'));
});
