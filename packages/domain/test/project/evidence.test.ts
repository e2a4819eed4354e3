import t from 'tap';
import { projectDecider } from '../../src/project/decider.js';
import { disbursementDecider } from '../../src/disbursement/decider.js';
import { FileName } from '../../src/evidence/evidence.js';
import { commandDataSchemas } from '../../src/commands.js';
import { disbursementCmd, projectCmd as cmd } from '../fixtures/commands.js';
import { approver, finance, officer, reviewer } from '../fixtures/fixtures.js';
import { specFor, fold } from '../fixtures/given.js';
import { acceptanceApplied, closed, inProgress, run, submitted, withPayment } from '../fixtures/project-story.js';

const given = specFor(projectDecider);
const HASH = 'ab'.repeat(32);
const file = (attachedTo: { kind: 'project' | 'milestone' | 'payment' | 'acceptance'; id: string }, evidenceId = 'ev-1', sha256 = HASH) => ({
  evidenceId,
  attachedTo,
  sha256,
  name: '验收报告.pdf',
  size: 1234,
  mediaType: 'application/pdf',
});

t.test('AttachEvidence records the hash, name, size and type of a file attached to what exists', async (t) => {
  given(withPayment)
    .when(cmd('AttachEvidence', file({ kind: 'milestone', id: 'm1' }), officer))
    .then(t, [{ type: 'EvidenceAttached', data: { projectId: 'p-pump-01', evidenceId: 'ev-1', attachedTo: { kind: 'milestone', id: 'm1' }, sha256: HASH, name: '验收报告.pdf', size: 1234, mediaType: 'application/pdf', by: officer } }]);
  given(withPayment).when(cmd('AttachEvidence', file({ kind: 'payment', id: 'pay1' }), finance)).then(t, [{ type: 'EvidenceAttached' }]);
  given(withPayment).when(cmd('AttachEvidence', file({ kind: 'payment', id: 'pay1' }), officer)).then(t, [{ type: 'EvidenceAttached' }]);
  given(submitted).when(cmd('AttachEvidence', file({ kind: 'project', id: 'p-pump-01' }), officer)).then(t, [{ type: 'EvidenceAttached' }]);
  given(acceptanceApplied).when(cmd('AttachEvidence', file({ kind: 'acceptance', id: 'p-pump-01' }), officer)).then(t, [{ type: 'EvidenceAttached' }]);
});

t.test('what it is attached to must exist', async (t) => {
  given([]).when(cmd('AttachEvidence', file({ kind: 'project', id: 'p-pump-01' }), officer)).then(t, 'PROJECT_NOT_FOUND');
  given(withPayment).when(cmd('AttachEvidence', file({ kind: 'milestone', id: 'm9' }), officer)).then(t, 'MILESTONE_NOT_FOUND');
  given(withPayment).when(cmd('AttachEvidence', file({ kind: 'payment', id: 'pay9' }), officer)).then(t, 'PAYMENT_NOT_FOUND');
  given(withPayment).when(cmd('AttachEvidence', file({ kind: 'acceptance', id: 'p-pump-01' }), officer)).then(t, 'INVALID_STATE');
  given(withPayment).when(cmd('AttachEvidence', file({ kind: 'project', id: 'p-other' }), officer)).then(t, 'PROJECT_NOT_FOUND');
});

t.test('whoever records that kind of fact attaches its evidence', async (t) => {
  given(withPayment).when(cmd('AttachEvidence', file({ kind: 'milestone', id: 'm1' }), finance)).then(t, 'ROLE_NOT_ALLOWED');
  given(withPayment).when(cmd('AttachEvidence', file({ kind: 'project', id: 'p-pump-01' }), approver)).then(t, 'ROLE_NOT_ALLOWED');
  given(withPayment).when(cmd('AttachEvidence', file({ kind: 'project', id: 'p-pump-01' }), reviewer)).then(t, 'ROLE_NOT_ALLOWED');
});

t.test('a suspended, closed or terminated project still takes a document of what happened, and nothing else', async (t) => {
  const suspended = run([cmd('SuspendProject', { reason: '企业重组' })], inProgress);
  given(suspended).when(cmd('AttachEvidence', file({ kind: 'project', id: 'p-pump-01' }), officer)).then(t, [{ type: 'EvidenceAttached' }]);
  given(closed).when(cmd('AttachEvidence', file({ kind: 'acceptance', id: 'p-pump-01' }), officer)).then(t, [{ type: 'EvidenceAttached' }]);
  given(closed).when(cmd('GradeAnnualPerformance', { year: 2020, grade: 'good' }, officer)).then(t, 'PROJECT_ENDED');
  const terminated = run([cmd('TerminateProject', { reason: '企业破产' }, approver)], inProgress);
  given(terminated).when(cmd('AttachEvidence', file({ kind: 'milestone', id: 'm1' }), officer)).then(t, [{ type: 'EvidenceAttached' }]);
});

t.test('an evidence id names one file for ever: the same again is a no-op, another file a refusal', async (t) => {
  const attached = run([cmd('AttachEvidence', file({ kind: 'milestone', id: 'm1' }), officer)], withPayment);
  given(attached).when(cmd('AttachEvidence', file({ kind: 'milestone', id: 'm1' }), officer)).then(t, []);
  given(attached).when(cmd('AttachEvidence', file({ kind: 'milestone', id: 'm1' }, 'ev-1', 'cd'.repeat(32)), officer)).then(t, 'ALREADY_EXISTS');
  given(attached).when(cmd('AttachEvidence', file({ kind: 'milestone', id: 'm2' }), officer)).then(t, 'ALREADY_EXISTS');
  const state = fold(projectDecider, attached);
  t.match(state.evidence['ev-1'], { sha256: HASH, name: '验收报告.pdf', size: 1234, attachedTo: { kind: 'milestone', id: 'm1' }, by: officer.id });
  t.same(state.status, fold(projectDecider, withPayment).status, 'attaching evidence changes no status');
});

t.test('a disbursement takes evidence from finance, in any status', async (t) => {
  const giveD = specFor(disbursementDecider);
  const requested = [
    {
      type: 'DisbursementRequested' as const,
      data: { by: finance, at: '2019-10-10T02:00:00.000Z', disbursementId: 'd1', rule: 'R1' as const, entitlement: null, payee: { name: 'P', creditCode: '91331000MA2AB12341' }, amount: 100, basis: 'R1', requestedBy: finance.id },
    },
  ];
  const data = { evidenceId: 'slip', sha256: HASH, name: '回单.png', size: 10, mediaType: 'image/png' };
  giveD(requested).when(disbursementCmd('AttachDisbursementEvidence', data, finance)).then(t, [{ type: 'DisbursementEvidenceAttached', data: { disbursementId: 'd1', ...data } }]);
  giveD(requested).when(disbursementCmd('AttachDisbursementEvidence', data, officer)).then(t, 'ROLE_NOT_ALLOWED');
  giveD([]).when(disbursementCmd('AttachDisbursementEvidence', data, finance)).then(t, 'DISBURSEMENT_NOT_FOUND');
});

t.test('a file name is one line without a path', async (t) => {
  for (const good of ['验收报告（终稿）.pdf', 'a b.docx', 'x']) t.ok(FileName.safeParse(good).success, good);
  for (const bad of ['', '.', '..', 'a/b.pdf', 'a\\b.pdf', 'a\nb.pdf', 'a\u0000.pdf', 'x'.repeat(256)]) t.notOk(FileName.safeParse(bad).success, JSON.stringify(bad));
  t.notOk(commandDataSchemas.AttachEvidence.safeParse({ ...file({ kind: 'project', id: 'p' }), sha256: 'AB'.repeat(32) }).success, 'the hash is lower-case hex');
});
