import t from 'tap';
import { annualSummary, bankReference, bureauRegistry, disbursement, eventSchemas, programme, project, r2Ledger, r3Ledger } from '@gongguan/domain';
import { allProjections, concern, domainStreams, owns } from '../src/index.js';

/** Each aggregate with one stream of it, named by the domain itself. */
const aggregates = [
  { name: 'programme', schemas: programme.eventSchemas, stream: programme.streamName('tz-2018') },
  { name: 'project', schemas: project.eventSchemas, stream: project.streamName('tz-2018-0001') },
  { name: 'disbursement', schemas: disbursement.eventSchemas, stream: disbursement.streamName('r1-tz-2018-0001') },
  { name: 'bankReference', schemas: bankReference.eventSchemas, stream: bankReference.streamName('ICBC-2019-0001') },
  { name: 'r2Ledger', schemas: r2Ledger.eventSchemas, stream: r2Ledger.streamName('331000', '91331000MA2AB12341', 2019) },
  { name: 'r3Ledger', schemas: r3Ledger.eventSchemas, stream: r3Ledger.streamName('331000', '12331000470000001L', 2019) },
  { name: 'r2Ledger of a bureau', schemas: r2Ledger.eventSchemas, stream: r2Ledger.streamName('331002', '91331000MA2AB12341', 2019) },
  { name: 'r3Ledger of a bureau', schemas: r3Ledger.eventSchemas, stream: r3Ledger.streamName('331002', '12331000470000001L', 2019) },
  { name: 'bureauRegistry', schemas: bureauRegistry.eventSchemas, stream: bureauRegistry.streamName() },
  { name: 'annualSummary', schemas: annualSummary.eventSchemas, stream: annualSummary.streamName('331000', 2026) },
];

t.test('every domain event type belongs to an aggregate whose streams are a domain stream category', async (t) => {
  const types = Object.keys(eventSchemas);
  for (const type of types) {
    // Claims on an entitlement (EntitlementClaimed…) are written by every aggregate that holds one.
    const homes = aggregates.filter((a) => Object.hasOwn(a.schemas, type));
    t.ok(homes.length >= 1, `${type} is an event of an aggregate listed here (a new aggregate must be added to domainStreams)`);
  }
  for (const a of aggregates) {
    const prefixes = Object.values(domainStreams).filter((prefix) => a.stream.startsWith(prefix));
    t.equal(prefixes.length, 1, `${a.name}'s stream ${a.stream} is in exactly one category`);
  }
});

t.test('each projection owns the streams of every event type it handles, and the feed owns every domain stream', async (t) => {
  for (const projection of allProjections) {
    for (const type of Object.keys(projection.handlers)) {
      const homes = aggregates.filter((a) => Object.hasOwn(a.schemas, type));
      t.ok(homes.length > 0, `${type} has an aggregate`);
      for (const home of homes) t.ok(owns(projection, home.stream), `${projection.name} owns ${home.stream}, a stream of ${type}`);
    }
  }
  const feed = allProjections.find((p) => p.name === 'activity');
  for (const a of aggregates) t.ok(feed !== undefined && owns(feed, a.stream), `the feed owns ${a.stream}`);
});

t.test('what a projection does with an event: apply it, skip it, or stop at it', async (t) => {
  const [projects, money] = allProjections;
  if (projects === undefined || money === undefined) return t.fail('projections missing');
  const known = { unknownType: false };
  const unknown = { unknownType: true };
  t.equal(concern(projects, { stream: 'project-a', type: 'ProjectApproved' }, undefined), 'apply');
  t.equal(concern(projects, { stream: 'project-a', type: 'TrackingVisitRecorded' }, undefined), 'skip', 'a domain event it has no handler for');
  t.equal(concern(money, { stream: 'project-a', type: 'ProjectApproved' }, undefined), 'skip', 'a stream it does not own');
  t.equal(concern(projects, { stream: 'audit-tree-heads', type: 'TreeHeadSealed' }, unknown), 'skip', 'the audit service\'s tree heads');
  t.equal(concern(projects, { stream: 'project-a', type: 'SomethingNew' }, unknown), 'stop', 'an unknown type in its own stream');
  t.equal(concern(projects, { stream: 'project-a', type: 'ProjectApproved' }, known), 'stop', 'a malformed event it handles');
  t.equal(concern(projects, { stream: 'project-a', type: 'TrackingVisitRecorded' }, known), 'skip', 'a malformed event it does not handle');
});
