import { randomUUID } from 'node:crypto';
import t from 'tap';
import { currentSchemaVersion, parseEvent, project, type ProjectEvent } from '@gongguan/domain';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, projectInPromotion } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

for (const kind of kinds) {
  t.test(`${kind}: the R2 flow across streams`, async (t) => {
    const clock = testClock('2019-10-10T02:00:00Z');
    let system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    let call = caller(system.url);
    const people = await cast(system);
    const at = (iso: string) => clock.set(iso);
    await launchProgramme(call, people, 'tz-r2', 10, at);
    await projectInPromotion(call, people, 'tz-r2', 'a-1', CODES.lead, at);
    await projectInPromotion(call, people, 'tz-r2', 'a-2', CODES.lead, at);
    clock.set('2019-10-10T02:00:00Z');
    const ledger = `/v1/subsidy-ledgers/r2/${CODES.lead}/2019`;

    t.test('two projects of one enterprise confirming payments at the same moment never exceed the cap', async (t) => {
      // 16,000,000 yuan each: 5% is 800,000 yuan each, and the enterprise's cap is 1,000,000 yuan.
      const [a, b] = await Promise.all(
        ['a-1', 'a-2'].map((id, i) =>
          call('POST', `/v1/projects/${id}/contracts/c1/payments`, {
            token: people.alice,
            body: { paymentId: `big-${i}`, amount: 1_600_000_000, bankReference: `BOC-2019-1009-000${i}`, paidOn: '2019-10-09' },
          }),
        ),
      );
      t.equal(a!.status, 201, JSON.stringify(a!.body));
      t.equal(b!.status, 201, JSON.stringify(b!.body));
      const state = (await call('GET', ledger, { token: people.fay })).body.state as { entitlement: number; granted: number };
      t.equal(state.entitlement, 100_000_000, 'capped at 1,000,000 yuan');
      const granted = await Promise.all(
        ['a-1', 'a-2'].map(async (id) => {
          const p = (await call('GET', `/v1/projects/${id}`, { token: people.fay })).body;
          t.same(p.pending, [], `${id} has nothing pending`);
          return Object.values((p.state as { payments: Record<string, { subsidyGranted?: number }> }).payments);
        }),
      );
      t.ok(granted.flat().length === 2);
    });

    t.test('a process dying between the payment and the ledger leaves it visibly pending, completed on restart', async (t) => {
      // Write only the first half, as a process that died right after it would have.
      const stream = project.streamName('a-1');
      const stored = await system.store.readStream(stream);
      const state = stored.map(parseEvent).filter(project.isEvent).reduce(project.decider.evolve, project.decider.initialState);
      const decided = project.decider.decide(
        { type: 'ConfirmContractPayment', actor: { id: 'alice', role: 'officer' }, at: '2019-11-02T02:00:00Z', data: { paymentId: 'half', contractId: 'c1', amount: 100_000_000, bankReference: 'HALF-0001', paidOn: '2019-11-01' } },
        state,
      ) as ProjectEvent[];
      await system.store.append(
        stream,
        decided.map((e) => ({ id: randomUUID(), type: e.type, schemaVersion: currentSchemaVersion[e.type], data: e.data, metadata: { actorId: 'alice', actorRole: 'officer', correlationId: 'crash-test' } })),
        { expectedRevision: stored[stored.length - 1]!.revision },
      );
      const pending = await call('GET', '/v1/projects/a-1', { token: people.alice });
      t.same(pending.body.pending, [{ paymentId: 'half', step: 'payment' }], 'the project shows the step as pending');

      system = await system.restart([lifecycleService({ env: clock.env })]);
      call = caller(system.url);
      let done = false;
      for (let i = 0; i < 100 && !done; i++) {
        const res = await call('GET', '/v1/projects/a-1', { token: people.alice });
        done = Array.isArray(res.body.pending) && res.body.pending.length === 0;
        if (!done) await new Promise((r) => setTimeout(r, 100));
      }
      t.ok(done, 'the re-driver completed the step after the restart');
      const after = (await call('GET', ledger, { token: people.fay })).body.state as { entries: Array<{ paymentId: string }>; entitlement: number };
      t.ok(after.entries.some((e) => e.paymentId === 'half'), 'the ledger has the payment');
      t.equal(after.entitlement, 100_000_000, 'still capped');
      const again = await call('POST', '/v1/projects/a-1/payments/half/assessment', { token: people.fay, body: { step: 'payment' } });
      t.equal(again.status, 200, 're-driving by hand is harmless');
      t.same((again.body.steps as Array<{ events: unknown[] }>).map((s) => s.events.length > 0), [true, true], 'it answers with the events written the first time');
      const entries = ((await call('GET', ledger, { token: people.fay })).body.state as { entries: Array<{ paymentId: string }> }).entries;
      t.equal(entries.filter((e) => e.paymentId === 'half').length, 1, 'assessed once');
    });
  });
}
