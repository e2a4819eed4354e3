import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parseEvent, pendingSubsidyAssessments, project, type ProjectState } from '@gongguan/domain';
import { START_POSITION, type RecordedEvent } from '@gongguan/event-store';
import { demoProvince, loadProvince, openEventStore } from '@gongguan/projector/tools';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { verifyMoney } from '../scripts/verify-bundle-money.mjs';
import { databaseKinds } from './support/system.js';
import { launchArgs } from './support/process.js';

/**
 * What a person does first (`pnpm seed`, then `pnpm start`): the generated province is one the
 * running system accepts as its own. Its contract payments were decided as the lifecycle API
 * decides them, so the R2 re-driver, following the store from the start, finds nothing pending
 * and logs no error; and the offline money verifier accepts every generated amount.
 */
const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

async function readEverything(open: () => ReturnType<typeof openEventStore>): Promise<RecordedEvent[]> {
  const store = await open();
  try {
    const all: RecordedEvent[] = [];
    for (let after = START_POSITION; ; ) {
      const page = await store.readAll({ after, limit: 10_000 });
      all.push(...page.events);
      after = page.position;
      if (page.caughtUp) return all;
    }
  } finally {
    await store.close();
  }
}

/** Runs `pnpm start`'s entry at debug level until the R2 re-driver says it caught up; returns its log lines. */
async function startUntilRedriverCaughtUp(env: NodeJS.ProcessEnv): Promise<Array<Record<string, unknown>>> {
  const child = spawn(process.execPath, launchArgs('scripts/start.ts'), {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'debug', AUDIT_SEAL_INTERVAL_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the R2 re-driver did not catch up within 90 s:\n${stdout.slice(-4000)}\n${stderr}`)), 90_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/"process":"r2-assessment"[^\n]*"msg":"R2 re-driver caught up"/.test(stdout)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${stdout.slice(-4000)}\n${stderr}`)));
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

for (const kind of kinds) {
  t.test(`${kind}: a seeded province starts without R2 errors and its money verifies`, async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-seed-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    let databaseUrl: string | undefined;
    if (kind === 'postgres') {
      const db = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
      databaseUrl = db.url;
      t.teardown(() => db.drop());
    }
    const open = () => openEventStore({ databaseUrl, dataDir });
    // `pnpm seed`'s shape (three cities, three counties each), smaller.
    const province = { ...demoProvince, projects: 40, seed: 20180717 };

    const store = await open();
    let loaded;
    try {
      loaded = await loadProvince(store, province);
      // The README's promise: seeding again with the same seed writes nothing new.
      await loadProvince(store, province);
    } finally {
      await store.close();
    }
    const events = await readEverything(open);
    t.equal(events.length, loaded.events, 'a second seed with the same --seed wrote nothing');

    const registered = events.filter((e) => e.type === 'BureauRegistered').map((e) => String(e.data.code));
    t.equal(registered.length, 1 + 3 + 9, 'the province, three cities and three counties of each are registered');
    const launchedBy = new Set(events.filter((e) => e.type === 'ProgrammeLaunched').map((e) => String(e.data.bureauCode)));
    t.ok([...launchedBy].every((code) => registered.includes(code)), 'every programme is launched by a registered bureau');
    t.ok(launchedBy.size >= 6, `${launchedBy.size} bureaus launched programmes`);

    const payments = events.filter((e) => e.type === 'ContractPaymentConfirmed');
    t.ok(payments.length >= 10, `${payments.length} contract payments generated`);
    const byCorrelation = new Map<string, RecordedEvent[]>();
    for (const e of events) byCorrelation.set(e.metadata.correlationId, [...(byCorrelation.get(e.metadata.correlationId) ?? []), e]);
    const oneDecision = payments.filter((p) => {
      const with_ = byCorrelation.get(p.metadata.correlationId) ?? [];
      return ['BankReferenceClaimed', 'R2PaymentAssessed', 'SubsidyAssessmentRecorded'].every((type) => with_.some((e) => e.type === type));
    });
    t.equal(oneDecision.length, payments.length, 'each payment is one decision with its bank-reference claim, its ledger assessment and the record back');
    const approvals = events.filter((e) => e.type === 'ProjectApproved');
    t.ok(approvals.length > 0);
    t.ok(
      approvals.every((a) => byCorrelation.get(a.metadata.correlationId)?.some((e) => e.type === 'SelectionSlotReserved' && e.stream.startsWith('programme-'))),
      'each approval is one decision with its place in the quota',
    );

    const projects = new Map<string, ProjectState>();
    for (const e of events.filter((e) => e.stream.startsWith('project-'))) {
      const parsed = parseEvent(e);
      if (project.isEvent(parsed)) projects.set(e.stream, project.decider.evolve(projects.get(e.stream) ?? project.decider.initialState, parsed));
    }
    const pending = [...projects].flatMap(([stream, state]) => pendingSubsidyAssessments(state).map((p) => `${stream} ${p.paymentId} ${p.step}`));
    t.same(pending, [], 'no project has an R2 assessment pending');
    t.ok([...projects.values()].some((s) => s.status === 'closed' && Object.keys(s.payments).length > 0), 'some closed projects carry payments (what the re-driver used to trip on)');

    const money = verifyMoney(events);
    t.same(money.failures, [], money.summary);
    t.equal(money.checked.r2Assessments, payments.length, 'the verifier replayed every payment on its ledger');

    const lines = await startUntilRedriverCaughtUp({ DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) });
    const r2 = lines.filter((l) => l.process === 'r2-assessment');
    t.ok(r2.length > 0, 'the R2 re-driver ran');
    t.same(
      lines.filter((l) => l.level === 'error' || l.level === 'fatal').map((l) => `${String(l.process ?? l.mount ?? '')}: ${String(l.msg)} ${JSON.stringify(l.err ?? '')}`.slice(0, 300)),
      [],
      'nothing logged an error',
    );
    const after = await readEverything(open);
    t.same(
      after.filter((e) => e.metadata.actorId === 'system:r2-assessment').map((e) => `${e.stream} ${e.type}`),
      [],
      'the re-driver wrote nothing: nothing was pending',
    );
  });
}
