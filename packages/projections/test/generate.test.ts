import t from 'tap';
import { generateProvince, type GeneratedAppend } from '../src/generate/load.js';

/** Every yield of a generated province, flattened, with the index of the yield each append came from. */
function generate(seed: number): Array<GeneratedAppend & { flush: number }> {
  const all: Array<GeneratedAppend & { flush: number }> = [];
  let flush = 0;
  for (const appends of generateProvince({ projects: 40, seed })) {
    flush++;
    for (const append of appends) all.push({ ...append, flush });
  }
  return all;
}

t.test('decisions over several streams come out as one group, to be appended together', async (t) => {
  const appends = generate(20180717);
  const groupOf = (type: string, where: (data: Record<string, unknown>) => boolean) =>
    appends.filter((a) => a.events.some((e) => e.type === type && where(e.data))).map((a) => (a.group === undefined ? undefined : `${a.flush}/${a.group}`));

  const payments = appends.flatMap((a) => a.events.filter((e) => e.type === 'ContractPaymentConfirmed').map((e) => ({ append: a, data: e.data })));
  t.ok(payments.length >= 10, `${payments.length} contract payments`);
  for (const { append, data } of payments) {
    const group = append.group === undefined ? undefined : `${append.flush}/${append.group}`;
    t.not(group, undefined, `payment ${String(data.paymentId)} is in a group`);
    t.same(groupOf('BankReferenceClaimed', (d) => d.bankReference === data.bankReference), [group], 'its bank reference claim in the same group');
    t.same(
      groupOf('R2PaymentAssessed', (d) => d.paymentId === data.paymentId && d.projectId === append.stream.slice('project-'.length)),
      [group],
      'its assessment on the ledger in the same group',
    );
    t.ok(append.events.some((e) => e.type === 'SubsidyAssessmentRecorded' && e.data.paymentId === data.paymentId), 'and recorded back in the same append');
  }

  const approvals = appends.filter((a) => a.events.some((e) => e.type === 'ProjectApproved'));
  t.ok(approvals.length > 0);
  for (const approval of approvals) {
    const projectId = approval.stream.slice('project-'.length);
    t.same(groupOf('SelectionSlotReserved', (d) => d.projectId === projectId), [`${approval.flush}/${approval.group}`], `the place of ${projectId} is taken with its approval`);
  }

  const groups = new Map<string, string[]>();
  for (const a of appends) if (a.group !== undefined) groups.set(`${a.flush}/${a.group}`, [...(groups.get(`${a.flush}/${a.group}`) ?? []), a.stream]);
  t.ok([...groups.values()].every((streams) => new Set(streams).size === streams.length && streams.length > 1), `each of ${groups.size} groups names two or more streams, each once`);
});

t.test('the same seed gives the same province, event ids included', async (t) => {
  const ids = (appends: GeneratedAppend[]) => appends.flatMap((a) => a.events.map((e) => `${a.stream} ${e.id}`));
  const first = generate(7);
  t.same(ids(generate(7)), ids(first));
  t.not(ids(generate(8))[0], ids(first)[0], 'another seed, other ids');
});
