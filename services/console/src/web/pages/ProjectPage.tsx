import { Alert, Button, Card, Descriptions, Drawer, Empty, Select, Space, Spin, Steps, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useCallback, useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { CommandForm, commandsFor, commandUrl, type CommandDescriptor } from '../components/CommandForm';
import { Money, Problem, StageTag, StatusTag } from '../components/bits';
import { ApiError, command, download, getJson, newIdempotencyKey } from '../lib/api';
import { useAuth } from '../lib/auth';
import { fenToYuanInput, todayInShanghai } from '../lib/format';
import { useI18n } from '../lib/i18n';
import { grades, kinds, type Text } from '../lib/messages';
import { diffStates, type StateChange } from '../lib/project-diff';

type Org = { name: string; creditCode: string };
type Milestone = { title: string; dueOn: string; status: string; reportedOn: string | null; acceptedOn: string | null };
type Rectification = { issue: string; orderedOn: string; dueOn: string; status: string; completedOn: string | null };
type Payment = { contractId: string; enterpriseCreditCode: string; amount: number; bankReference: string; paidOn: string; reversed: boolean; paymentAssessed: boolean; reversalAssessed: boolean };
type Contract = { transferor: Org | null; transferee: Org | null; amount: number; paid: number };

/** The project as GET /v1/projects/{id} answers it (packages/domain/src/project/state.ts). */
export interface ProjectState {
  status: string;
  stage: string;
  suspended: boolean;
  projectId: string;
  programmeId: string;
  bureauCode: string;
  countyCode: string | null;
  title: string;
  leadEnterprise: Org | null;
  partners: Org[];
  industry: string;
  county: string;
  principalInvestigator: { name: string; title?: string } | null;
  requestedFunding: number;
  submittedBy: string;
  submittedOn: string;
  countyRecommendation: string | null;
  reviewers: Record<string, { name: string; employerCreditCode: string; conflictDeclared: boolean; score: number | null }>;
  publicity: { startsOn: string; endsOn: string } | null;
  objections: Record<string, string>;
  selectionSlot: number | null;
  taskBook: { startOn: string; endOn: string; originalEndOn: string; approvedFunding: number; indicators: Array<{ name: string; target: string }> } | null;
  extension: { status: string; months: number; requestedBy: string; approvedOn: string | null } | null;
  milestones: Record<string, Milestone>;
  rectifications: Record<string, Rectification>;
  changes: Record<string, { change: { kind: string } & Record<string, unknown>; requestedBy: string; status: string }>;
  midTermCheckDone: boolean;
  visitIds: string[];
  contracts: Record<string, Contract>;
  payments: Record<string, Payment>;
  r1: { disbursementId: string; amount: number } | null;
  acceptance: { appliedOn: string; appliedBy: string; result: string | null } | null;
  grades: Record<string, string>;
  endedOn: string | null;
  evidence: Record<string, unknown>;
  moneyCorrections: Record<string, { correction: { kind: string } & Record<string, unknown>; reason: string; requestedBy: string; status: string }>;
}

interface Loaded {
  revision: number;
  state: ProjectState;
  pending: Array<{ paymentId: string; step: 'payment' | 'reversal' }>;
}

type Fenish = number | string | null;
interface Reporting {
  project: { approvedOn: string | null; acceptanceDeadline: string | null; daysLeft: number | null; milestonesOverdue: number | null; rectificationsOverdue: number | null; moneyAwarded: Fenish; moneyPaid: Fenish };
  milestones: Array<{ milestoneId: string | null; overdue: boolean | null; daysUntilDue: number | null; returnedCount: number | null }>;
  rectifications: Array<{ rectificationId: string | null; overdue: boolean | null; late: boolean | null }>;
  disbursements: Array<{ disbursementId: string; rule: string | null; payeeName: string | null; amount: Fenish; status: string | null; requestedOn: string | null; approvedOn: string | null; paidOn: string | null; paidAmount: Fenish; reversedAmount: Fenish; clawedBackAmount: Fenish }>;
}

interface Evidence {
  evidenceId: string;
  attachedTo: { kind: string; id: string };
  sha256: string;
  name: string;
  size: number;
  mediaType: string;
  by: string;
  at: string;
}

interface Ledger {
  creditCode: string;
  year: number;
  state: { entries: Array<{ paymentId: string; projectId: string; contractId: string; amount: number; reversed: boolean; entitlement: number }>; entitlement: number; granted: number; clawedBack: number } | null;
}

/** A form open on the page: the command, its path parameters, what it starts with. */
interface OpenForm {
  path: string;
  params: Record<string, string>;
  initialValues?: Record<string, unknown>;
  hidden?: string[];
}

// A coloured tag's own text colour is below WCAG AA contrast on its background: the text stays dark (as bits.tsx's tags).
const darkText = { color: 'rgba(0, 0, 0, 0.88)' };

const P = '/v1/projects/{projectId}/';
const EVIDENCE = '/v1/projects/{projectId}/evidence';

/** The statuses in which a project command can succeed (packages/domain/src/project/decide-*.ts); the server still decides. */
const supervised = ['in_progress', 'acceptance_applied'];
const converting = ['in_progress', 'acceptance_applied', 'acceptance_concluded'];
const whenStatus: Record<string, string[]> = {
  'recommendation': ['submitted'],
  'formal-review': ['submitted'],
  'reviewers': ['in_expert_review'],
  'conflicts': ['in_expert_review'],
  'scores': ['in_expert_review'],
  'publicity': ['in_expert_review'],
  'objections': ['in_publicity'],
  'approval': ['in_publicity'],
  'withdrawal': ['submitted', 'in_expert_review', 'in_publicity'],
  'rejection': ['submitted', 'in_expert_review', 'in_publicity'],
  'task-book': ['approved'],
  'tracking-visits': supervised,
  'mid-term-check': ['in_progress'],
  'rectifications': supervised,
  'changes': ['in_progress'],
  'extension': ['in_progress'],
  'extension/decision': ['in_progress'],
  'suspension': ['approved', 'in_progress'],
  'termination': ['approved', 'in_progress', 'acceptance_applied'],
  'stage': ['in_progress'],
  'grants/r1': ['approved', ...converting],
  'contracts': converting,
  'acceptance-application': ['in_progress'],
  'acceptance-conclusion': ['acceptance_applied'],
  'closing': ['acceptance_concluded'],
  'performance-grades': ['approved', ...converting],
};

/** Whether a project-level command makes sense now; false only when that is certain. */
function offered(c: CommandDescriptor, s: ProjectState): boolean {
  const rest = c.path.slice(P.length);
  if (s.suspended && rest !== 'resumption' && rest !== 'termination' && !rest.startsWith('money-corrections')) return false;
  if (rest === 'resumption') return s.suspended;
  if (rest === 'stage') return s.stage === 'advancement' && s.status === 'in_progress';
  if (rest === 'mid-term-check') return s.stage === 'advancement' && s.status === 'in_progress' && !s.midTermCheckDone;
  if (rest === 'contracts') return s.stage === 'promotion' && converting.includes(s.status);
  if (rest === 'acceptance-application') return s.stage === 'promotion' && s.status === 'in_progress';
  if (rest === 'extension') return s.status === 'in_progress' && s.extension?.status !== 'pending';
  if (rest === 'extension/decision') return s.status === 'in_progress' && s.extension?.status === 'pending';
  if (rest === 'grants/r1') return s.r1 === null && (whenStatus[rest] ?? []).includes(s.status);
  const allowed = whenStatus[rest];
  return allowed ? allowed.includes(s.status) : true;
}

const stateLabels: Record<string, Text> = {
  status: { zh: '状态', en: 'Status' },
  stage: { zh: '阶段', en: 'Stage' },
  suspended: { zh: '已暂停', en: 'Suspended' },
  reviewers: { zh: '评审专家', en: 'Reviewers' },
  publicity: { zh: '公示', en: 'Publicity' },
  objections: { zh: '公示异议', en: 'Objections' },
  selectionSlot: { zh: '立项名额序号', en: 'Selection place' },
  taskBook: { zh: '任务书', en: 'Task book' },
  extension: { zh: '延期', en: 'Extension' },
  milestones: { zh: '任务节点', en: 'Milestones' },
  rectifications: { zh: '整改', en: 'Rectifications' },
  changes: { zh: '变更', en: 'Changes' },
  midTermCheckDone: { zh: '中期检查', en: 'Mid-term check' },
  visitIds: { zh: '跟踪走访', en: 'Tracking visits' },
  contracts: { zh: '成果转化合同', en: 'Contracts' },
  payments: { zh: '合同到账', en: 'Bank payments' },
  r1: { zh: '立项资助（R1）', en: 'Selection grant (R1)' },
  claims: { zh: '资金申领', en: 'Claims' },
  acceptance: { zh: '验收', en: 'Acceptance' },
  grades: { zh: '年度绩效评价', en: 'Performance grades' },
  endedOn: { zh: '结束日期', en: 'Ended on' },
  evidence: { zh: '证明材料', en: 'Evidence' },
  moneyCorrections: { zh: '金额更正', en: 'Money corrections' },
  countyRecommendation: { zh: '县区推荐', en: 'County recommendation' },
  revision: { zh: '版本号', en: 'Revision' },
};

const evidenceKinds: Record<string, Text> = {
  project: { zh: '项目', en: 'Project' },
  milestone: { zh: '任务节点', en: 'Milestone' },
  payment: { zh: '合同到账', en: 'Bank payment' },
  acceptance: { zh: '验收', en: 'Acceptance' },
};

function Section({ title, children, id }: { title: string; children: ReactNode; id: string }) {
  return (
    <Card size="small" title={<Typography.Title level={3} style={{ fontSize: 16, margin: 0 }} id={id}>{title}</Typography.Title>} styles={{ body: { overflowX: 'auto' } }} aria-labelledby={id} role="region">
      {children}
    </Card>
  );
}

function yearsOf(s: ProjectState): Array<{ creditCode: string; year: number }> {
  const seen = new Map<string, { creditCode: string; year: number }>();
  for (const p of Object.values(s.payments)) {
    const year = Number(p.paidOn.slice(0, 4));
    seen.set(`${p.enterpriseCreditCode}/${year}`, { creditCode: p.enterpriseCreditCode, year });
  }
  if (seen.size === 0 && s.leadEnterprise && s.taskBook) {
    const year = Number(todayInShanghai().slice(0, 4));
    seen.set(`${s.leadEnterprise.creditCode}/${year}`, { creditCode: s.leadEnterprise.creditCode, year });
  }
  return [...seen.values()].sort((a, b) => a.year - b.year || a.creditCode.localeCompare(b.creditCode));
}

/** One project at any stage: its stage bar, every section of its record, and the commands the signed-in roles may issue here. */
export default function ProjectPage() {
  const { projectId = '' } = useParams();
  const i18n = useI18n();
  const { t } = i18n;
  const { session } = useAuth();
  const roles = useMemo(() => session?.roles ?? [], [session]);
  const [data, setData] = useState<Loaded | null>(null);
  const [reporting, setReporting] = useState<Reporting | null>(null);
  const [evidence, setEvidence] = useState<Evidence[] | null>(null);
  const [ledgers, setLedgers] = useState<Ledger[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [form, setForm] = useState<OpenForm | null>(null);
  const [stale, setStale] = useState<{ changes: StateChange[]; before: number; after: number } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const dataRef = useRef<Loaded | null>(null);

  const load = useCallback(
    async (minPosition?: string | null): Promise<Loaded | null> => {
      try {
        const main = await getJson<Loaded>(`/v1/projects/${encodeURIComponent(projectId)}`);
        dataRef.current = main.data;
        setData(main.data);
        setError(null);
        const s = main.data.state;
        const canReport = roles.some((r) => ['officer', 'auditor', 'reporter'].includes(r));
        const canEvidence = roles.some((r) => ['officer', 'approver', 'finance', 'auditor'].includes(r));
        const canLedger = roles.some((r) => ['officer', 'approver', 'finance', 'auditor'].includes(r));
        await Promise.all([
          canReport
            ? getJson<Reporting>(`/v1/reporting/projects/${encodeURIComponent(projectId)}`, { minPosition: minPosition ?? undefined })
                .then((r) => setReporting(r.data))
                .catch(() => setReporting(null))
            : Promise.resolve(),
          canEvidence
            ? getJson<{ evidence: Evidence[] }>(`/v1/projects/${encodeURIComponent(projectId)}/evidence`)
                .then((r) => setEvidence(r.data.evidence))
                .catch(() => setEvidence(null))
            : Promise.resolve(),
          canLedger
            ? Promise.all(
                yearsOf(s).map(({ creditCode, year }) =>
                  getJson<{ state: Ledger['state'] }>(`/v1/subsidy-ledgers/r2/${encodeURIComponent(creditCode)}/${year}`)
                    .then((r) => ({ creditCode, year, state: r.data.state }))
                    .catch(() => ({ creditCode, year, state: null })),
                ),
              ).then(setLedgers)
            : Promise.resolve(),
        ]);
        return main.data;
      } catch (err) {
        setError(err);
        return null;
      }
    },
    [projectId, roles],
  );

  useEffect(() => {
    setData(null);
    setStale(null);
    setForm(null);
    void load();
  }, [load]);

  const onStale = useCallback(async () => {
    const before = dataRef.current;
    const after = await load();
    if (before && after) setStale({ changes: diffStates(before, after), before: before.revision, after: after.revision });
  }, [load]);

  const open = (f: OpenForm) => {
    setDone(null);
    setForm(f);
  };

  if (error && !data) return <Problem error={error} />;
  if (!data) return <Spin aria-label={t('加载中', 'Loading')} />;
  const s = data.state;
  const params = { projectId };
  const allCommands = commandsFor(P, roles);
  const projectCommands = allCommands.filter((c) => c.path !== EVIDENCE && c.pathParams.length <= 1 && offered(c, s));
  const may = (path: string) => allCommands.some((c) => c.path === path);
  const today = todayInShanghai();

  const cmdButton = (path: string, extra: Record<string, string>, initialValues?: Record<string, unknown>, hidden?: string[]) =>
    may(path) ? (
      <Button key={path} size="small" onClick={() => open({ path, params: { ...params, ...extra }, ...(initialValues ? { initialValues } : {}), ...(hidden ? { hidden } : {}) })}>
        {i18n.command(path)}
      </Button>
    ) : null;

  const prefill = (path: string): Record<string, unknown> | undefined => {
    const rest = path.slice(P.length);
    switch (rest) {
      case 'task-book':
        return { approvedFunding: fenToYuanInput(s.requestedFunding), startOn: today };
      case 'stage':
        return { to: 'promotion' };
      case 'recommendation':
        return { county: s.county };
      case 'performance-grades':
        return { year: Number(today.slice(0, 4)) };
      case 'acceptance-application':
      case 'acceptance-conclusion':
      case 'mid-term-check':
      case 'tracking-visits':
      case 'objections':
        return { appliedOn: today, concludedOn: today, checkedOn: today, visitedOn: today, lodgedOn: today };
      default:
        return undefined;
    }
  };

  const stageIndex = Math.max(0, ['solicitation', 'advancement', 'promotion'].indexOf(s.stage));
  const ended = ['closed', 'rejected', 'terminated', 'withdrawn'].includes(s.status);
  const failed = ['rejected', 'terminated', 'withdrawn'].includes(s.status);
  const stepDates: ReactNode[] = [
    <span key="s">{t('申报', 'Submitted')} {i18n.date(s.submittedOn || null)}{s.publicity ? ` · ${t('公示', 'Publicity')} ${i18n.date(s.publicity.startsOn)}–${i18n.date(s.publicity.endsOn)}` : ''}</span>,
    <span key="a">{s.taskBook ? `${i18n.date(s.taskBook.startOn)} – ${i18n.date(s.taskBook.endOn)}` : t('任务书未签订', 'No task book yet')}</span>,
    <span key="p">{s.acceptance ? `${t('申请验收', 'Acceptance applied')} ${i18n.date(s.acceptance.appliedOn)}` : reporting?.project.acceptanceDeadline ? `${t('验收截止', 'Acceptance due')} ${i18n.date(reporting.project.acceptanceDeadline)}` : ''}{s.endedOn ? ` · ${t('结束', 'Ended')} ${i18n.date(s.endedOn)}` : ''}</span>,
  ];

  const staleAlert = stale ? (
    <Alert
      type="warning"
      showIcon
      role="alert"
      message={t('项目已被他人修改', 'Someone else changed the project')}
      description={
        <div>
          <Typography.Paragraph style={{ marginBottom: 8 }}>
            {t(`页面已重新载入（版本 ${stale.before} → ${stale.after}）。请核对以下变化后重新提交，您填写的内容已保留。`, `The page was reloaded (revision ${stale.before} → ${stale.after}). Check what changed, then submit again: what you typed is kept.`)}
          </Typography.Paragraph>
          <Table<StateChange>
            size="small"
            rowKey="field"
            pagination={false}
            scroll={{ x: 'max-content' }}
            aria-label={t('变化', 'What changed')}
            dataSource={stale.changes}
            columns={[
              { title: t('字段', 'Field'), dataIndex: 'field', render: (f: string) => i18n.label(stateLabels, f) !== f ? i18n.label(stateLabels, f) : i18n.field(f) },
              { title: t('修改前', 'Before'), dataIndex: 'before' },
              { title: t('修改后', 'After'), dataIndex: 'after' },
            ]}
          />
        </div>
      }
      closable
      onClose={() => setStale(null)}
      style={{ marginBottom: 12 }}
    />
  ) : null;

  const milestoneRows = Object.entries(s.milestones).map(([milestoneId, m]) => ({ milestoneId, ...m, rep: reporting?.milestones.find((r) => r.milestoneId === milestoneId) }));
  const milestoneEvidence = (id: string) => (evidence ?? []).filter((e) => e.attachedTo.kind === 'milestone' && e.attachedTo.id === id).map((e) => e.name);
  const milestoneColumns: TableColumnsType<(typeof milestoneRows)[number]> = [
    { title: t('节点编号', 'Milestone'), dataIndex: 'milestoneId' },
    { title: t('名称', 'Title'), dataIndex: 'title' },
    { title: t('状态', 'Status'), dataIndex: 'status', render: (v: string, r) => <Space size={4}><StatusTag status={v} />{r.rep?.overdue ? <Tag color="red" style={darkText}>{t('已逾期', 'Overdue')}</Tag> : null}</Space> },
    { title: t('到期日', 'Due on'), dataIndex: 'dueOn', render: (d: string) => i18n.date(d) },
    { title: t('报告日期', 'Reported on'), dataIndex: 'reportedOn', render: (d: string | null) => i18n.date(d) },
    { title: t('验收日期', 'Accepted on'), dataIndex: 'acceptedOn', render: (d: string | null) => i18n.date(d) },
    {
      title: t('操作', 'Actions'),
      key: 'actions',
      render: (_: unknown, r) =>
        s.status === 'in_progress' && !s.suspended ? (
          <Space size={4} wrap>
            {(r.status === 'pending' || r.status === 'returned') && s.stage === 'advancement' && cmdButton(`${P}milestones/{milestoneId}/report`, { milestoneId: r.milestoneId }, { reportedOn: today, ...(milestoneEvidence(r.milestoneId).length ? { evidence: milestoneEvidence(r.milestoneId).join('\n') } : {}) })}
            {r.status === 'reported' && cmdButton(`${P}milestones/{milestoneId}/acceptance`, { milestoneId: r.milestoneId })}
            {r.status === 'reported' && cmdButton(`${P}milestones/{milestoneId}/return`, { milestoneId: r.milestoneId })}
            {cmdButton(`${P}milestones/{milestoneId}/date-corrections`, { milestoneId: r.milestoneId })}
          </Space>
        ) : (
          cmdButton(`${P}milestones/{milestoneId}/date-corrections`, { milestoneId: r.milestoneId })
        ),
    },
  ];

  const rectRows = Object.entries(s.rectifications).map(([rectificationId, r]) => ({ rectificationId, ...r, rep: reporting?.rectifications.find((x) => x.rectificationId === rectificationId) }));
  const paymentRows = Object.entries(s.payments).map(([paymentId, p]) => ({ paymentId, ...p }));
  const contractRows = Object.entries(s.contracts).map(([contractId, c]) => ({ contractId, ...c }));
  const canConvert = converting.includes(s.status) && !s.suspended;

  const content = (
    <Space direction="vertical" size="middle" style={{ width: '100%', minWidth: 0 }}>
      <div>
        <Typography.Title level={2} style={{ fontSize: 20, margin: 0, overflowWrap: 'anywhere' }}>
          {t('项目', 'Project')}：{s.title || projectId}
        </Typography.Title>
        <Space wrap size={4} style={{ marginTop: 8 }}>
          <Typography.Text type="secondary">{projectId}</Typography.Text>
          <StageTag stage={s.stage} />
          <StatusTag status={s.status} />
          {s.suspended && <Tag color="red" style={darkText}>{t('已暂停', 'Suspended')}</Tag>}
          <Typography.Text type="secondary" data-testid="revision">{t(`版本 ${data.revision}`, `Revision ${data.revision}`)}</Typography.Text>
          <Link to={`/audit/projects/${encodeURIComponent(projectId)}`}>{t('审计时间线', 'Audit timeline')}</Link>
        </Space>
      </div>
      <Card size="small" styles={{ body: { overflowX: 'auto' } }} role="group" aria-label={t('项目阶段', 'Project stages')}>
        <Steps
          current={stageIndex}
          status={failed ? 'error' : ended ? 'finish' : 'process'}
          responsive
          items={['solicitation', 'advancement', 'promotion'].map((st, i) => ({ title: i18n.stage(st), content: i <= stageIndex ? stepDates[i] : null }))}
        />
      </Card>
      {staleAlert}
      {done && <Alert type="success" showIcon role="status" message={done} closable onClose={() => setDone(null)} />}
      {error != null && <Problem error={error} />}

      <Section id="sec-actions" title={t('操作', 'Actions')}>
        {projectCommands.length === 0 ? (
          <Typography.Text type="secondary">{t('当前状态下您没有可办理的操作。', 'Nothing for your roles to do at this status.')}</Typography.Text>
        ) : (
          <Space wrap>
            {projectCommands.map((c) => (
              <Button key={c.path} onClick={() => open({ path: c.path, params, ...(prefill(c.path) ? { initialValues: prefill(c.path)! } : {}) })}>
                {i18n.command(c.path)}
              </Button>
            ))}
          </Space>
        )}
      </Section>

      <Section id="sec-basic" title={t('基本信息', 'Basic information')}>
        <Descriptions size="small" column={{ xs: 1, sm: 1, md: 2, lg: 3 }} bordered={false}>
          <Descriptions.Item label={t('项目名称', 'Title')}>{s.title}</Descriptions.Item>
          <Descriptions.Item label={t('计划', 'Programme')}><Link to={`/projects?programmeId=${encodeURIComponent(s.programmeId)}`}>{s.programmeId}</Link></Descriptions.Item>
          <Descriptions.Item label={t('牵头企业', 'Lead enterprise')}>{s.leadEnterprise ? `${s.leadEnterprise.name}（${s.leadEnterprise.creditCode}）` : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('合作单位', 'Partners')}>{s.partners.length ? s.partners.map((p) => `${p.name}（${p.creditCode}）`).join('；') : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('项目负责人', 'Principal investigator')}>{s.principalInvestigator ? `${s.principalInvestigator.name}${s.principalInvestigator.title ? `，${s.principalInvestigator.title}` : ''}` : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('产业', 'Industry')}>{s.industry || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('县（市、区）', 'County')}>{s.county || '—'}{s.countyCode ? `（${s.countyCode}）` : ''}</Descriptions.Item>
          <Descriptions.Item label={t('申请资助金额', 'Requested funding')}><Money fen={s.requestedFunding} /></Descriptions.Item>
          <Descriptions.Item label={t('批准资助金额', 'Approved funding')}>{s.taskBook ? <Money fen={s.taskBook.approvedFunding} /> : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('申报人', 'Submitted by')}>{s.submittedBy || '—'}</Descriptions.Item>
          <Descriptions.Item label={t('申报日期', 'Submitted on')}>{i18n.date(s.submittedOn || null)}</Descriptions.Item>
          <Descriptions.Item label={t('县区推荐', 'County recommendation')}>{s.countyRecommendation ?? '—'}</Descriptions.Item>
        </Descriptions>
      </Section>

      <Section id="sec-review" title={t('评审', 'Review')}>
        <Table
          size="small"
          rowKey="reviewerId"
          pagination={false}
          scroll={{ x: 'max-content' }}
          aria-label={t('评审专家', 'Reviewers')}
          dataSource={Object.entries(s.reviewers).map(([reviewerId, r]) => ({ reviewerId, ...r }))}
          columns={[
            { title: t('专家账号', 'Reviewer'), dataIndex: 'reviewerId' },
            { title: t('姓名', 'Name'), dataIndex: 'name' },
            { title: t('工作单位信用代码', "Employer's credit code"), dataIndex: 'employerCreditCode' },
            { title: t('利益冲突', 'Conflict'), dataIndex: 'conflictDeclared', render: (v: boolean) => (v ? <Tag color="red" style={darkText}>{t('已声明回避', 'Declared')}</Tag> : t('无', 'None')) },
            { title: t('评分', 'Score'), dataIndex: 'score', render: (v: number | null) => v ?? '—' },
          ]}
          locale={{ emptyText: t('尚未指派评审专家', 'No reviewer assigned yet') }}
        />
        <Descriptions size="small" column={{ xs: 1, md: 2 }} style={{ marginTop: 12 }}>
          <Descriptions.Item label={t('公示期', 'Publicity')}>{s.publicity ? `${i18n.date(s.publicity.startsOn)} – ${i18n.date(s.publicity.endsOn)}` : '—'}</Descriptions.Item>
          <Descriptions.Item label={t('立项名额序号', 'Selection place')}>{s.selectionSlot ?? '—'}</Descriptions.Item>
          <Descriptions.Item label={t('立项日期', 'Approved on')}>{i18n.date(reporting?.project.approvedOn ?? null)}</Descriptions.Item>
        </Descriptions>
        {Object.keys(s.objections).length > 0 && (
          <Table
            size="small"
            rowKey="objectionId"
            pagination={false}
            scroll={{ x: 'max-content' }}
            aria-label={t('公示异议', 'Objections')}
            dataSource={Object.entries(s.objections).map(([objectionId, status]) => ({ objectionId, status }))}
            columns={[
              { title: t('异议编号', 'Objection'), dataIndex: 'objectionId' },
              { title: t('状态', 'Status'), dataIndex: 'status', render: (v: string) => <Tag color={v === 'open' ? 'orange' : v === 'upheld' ? 'red' : 'green'} style={darkText}>{v === 'open' ? t('待处理', 'Open') : v === 'upheld' ? t('成立', 'Upheld') : t('不成立', 'Dismissed')}</Tag> },
              { title: t('操作', 'Actions'), key: 'a', render: (_: unknown, r) => (r.status === 'open' && s.status === 'in_publicity' ? cmdButton(`${P}objections/{objectionId}/resolution`, { objectionId: r.objectionId }) : null) },
            ]}
          />
        )}
      </Section>

      <Section id="sec-taskbook" title={t('任务书与节点', 'Task book and milestones')}>
        {s.taskBook ? (
          <>
            <Descriptions size="small" column={{ xs: 1, md: 2, lg: 3 }}>
              <Descriptions.Item label={t('实施期', 'Period')}>{`${i18n.date(s.taskBook.startOn)} – ${i18n.date(s.taskBook.endOn)}`}</Descriptions.Item>
              {s.taskBook.originalEndOn !== s.taskBook.endOn && <Descriptions.Item label={t('原定结束日期', 'Original end')}>{i18n.date(s.taskBook.originalEndOn)}</Descriptions.Item>}
              <Descriptions.Item label={t('批准资助金额', 'Approved funding')}><Money fen={s.taskBook.approvedFunding} /></Descriptions.Item>
              <Descriptions.Item label={t('延期', 'Extension')}>{s.extension ? `${s.extension.months} ${t('个月', 'months')} · ${i18n.status(s.extension.status)}` : '—'}</Descriptions.Item>
              <Descriptions.Item label={t('剩余天数', 'Days left')}>{reporting?.project.daysLeft ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('考核指标', 'Indicators')}>{s.taskBook.indicators.map((x) => `${x.name}：${x.target}`).join('；') || '—'}</Descriptions.Item>
            </Descriptions>
            <Table size="small" rowKey="milestoneId" pagination={false} scroll={{ x: 'max-content' }} aria-label={t('任务节点', 'Milestones')} dataSource={milestoneRows} columns={milestoneColumns} />
          </>
        ) : (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('任务书尚未签订', 'The task book is not signed yet')} />
        )}
        {Object.keys(s.changes).length > 0 && (
          <Table
            size="small"
            rowKey="changeId"
            pagination={false}
            scroll={{ x: 'max-content' }}
            style={{ marginTop: 12 }}
            aria-label={t('变更申请', 'Change requests')}
            dataSource={Object.entries(s.changes).map(([changeId, c]) => ({ changeId, ...c }))}
            columns={[
              { title: t('变更编号', 'Change'), dataIndex: 'changeId' },
              { title: t('类型', 'Kind'), dataIndex: 'change', render: (c: { kind: string }) => (c.kind === 'budget' ? t('预算', 'Budget') : c.kind === 'indicators' ? t('考核指标', 'Indicators') : t('项目负责人', 'Principal investigator')) },
              { title: t('申请人', 'Requested by'), dataIndex: 'requestedBy' },
              { title: t('状态', 'Status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v === 'approved' ? 'accepted' : v === 'rejected' ? 'returned' : 'pending'} /> },
              { title: t('操作', 'Actions'), key: 'a', render: (_: unknown, r) => (r.status === 'pending' && s.status === 'in_progress' ? cmdButton(`${P}changes/{changeId}/decision`, { changeId: r.changeId }) : null) },
            ]}
          />
        )}
        {Object.keys(s.grades).length > 0 && (
          <Typography.Paragraph style={{ marginTop: 12, marginBottom: 0 }}>
            {t('年度绩效评价', 'Performance grades')}：{Object.entries(s.grades).map(([y, g]) => `${y} ${i18n.label(grades, g)}`).join('；')}
          </Typography.Paragraph>
        )}
      </Section>

      <Section id="sec-tracking" title={t('跟踪服务与整改', 'Tracking and rectifications')}>
        <Descriptions size="small" column={{ xs: 1, md: 2 }}>
          <Descriptions.Item label={t('跟踪走访次数', 'Tracking visits')}>{s.visitIds.length}</Descriptions.Item>
          <Descriptions.Item label={t('中期检查', 'Mid-term check')}>{s.midTermCheckDone ? t('已完成', 'Done') : t('未进行', 'Not yet')}</Descriptions.Item>
        </Descriptions>
        <Table
          size="small"
          rowKey="rectificationId"
          pagination={false}
          scroll={{ x: 'max-content' }}
          aria-label={t('整改', 'Rectifications')}
          dataSource={rectRows}
          locale={{ emptyText: t('无整改', 'No rectification') }}
          columns={[
            { title: t('整改编号', 'Rectification'), dataIndex: 'rectificationId' },
            { title: t('问题', 'Issue'), dataIndex: 'issue' },
            { title: t('状态', 'Status'), dataIndex: 'status', render: (v: string, r) => <Space size={4}><StatusTag status={v} />{r.rep?.overdue ? <Tag color="red" style={darkText}>{t('已逾期', 'Overdue')}</Tag> : null}</Space> },
            { title: t('下达日期', 'Ordered on'), dataIndex: 'orderedOn', render: (d: string) => i18n.date(d) },
            { title: t('到期日', 'Due on'), dataIndex: 'dueOn', render: (d: string) => i18n.date(d) },
            { title: t('完成日期', 'Completed on'), dataIndex: 'completedOn', render: (d: string | null) => i18n.date(d) },
            { title: t('操作', 'Actions'), key: 'a', render: (_: unknown, r) => (r.status === 'open' && supervised.includes(s.status) && !s.suspended ? cmdButton(`${P}rectifications/{rectificationId}/completion`, { rectificationId: r.rectificationId }, { completedOn: today }) : null) },
          ]}
        />
      </Section>

      <Section id="sec-contracts" title={t('合同与到账', 'Contracts and bank payments')}>
        <Table
          size="small"
          rowKey="contractId"
          pagination={false}
          scroll={{ x: 'max-content' }}
          aria-label={t('成果转化合同', 'Conversion contracts')}
          dataSource={contractRows}
          locale={{ emptyText: t('无成果转化合同', 'No conversion contract') }}
          columns={[
            { title: t('合同编号', 'Contract'), dataIndex: 'contractId' },
            { title: t('转让方', 'Transferor'), dataIndex: 'transferor', render: (o: Org | null) => o?.name ?? '—' },
            { title: t('受让方', 'Transferee'), dataIndex: 'transferee', render: (o: Org | null) => o?.name ?? '—' },
            { title: t('合同金额', 'Amount'), dataIndex: 'amount', render: (v: number) => <Money fen={v} /> },
            { title: t('已到账', 'Paid'), dataIndex: 'paid', render: (v: number) => <Money fen={v} /> },
            { title: t('操作', 'Actions'), key: 'a', render: (_: unknown, r) => (canConvert ? cmdButton(`${P}contracts/{contractId}/payments`, { contractId: r.contractId }, { paidOn: today }) : null) },
          ]}
        />
        <Table
          size="small"
          rowKey="paymentId"
          pagination={false}
          scroll={{ x: 'max-content' }}
          style={{ marginTop: 12 }}
          aria-label={t('合同到账', 'Bank payments')}
          dataSource={paymentRows}
          locale={{ emptyText: t('无到账记录', 'No bank payment') }}
          columns={[
            { title: t('到账编号', 'Payment'), dataIndex: 'paymentId' },
            { title: t('合同编号', 'Contract'), dataIndex: 'contractId' },
            { title: t('金额', 'Amount'), dataIndex: 'amount', render: (v: number) => <Money fen={v} /> },
            { title: t('银行流水号', 'Bank reference'), dataIndex: 'bankReference' },
            { title: t('到账日期', 'Paid on'), dataIndex: 'paidOn', render: (d: string) => i18n.date(d) },
            { title: t('状态', 'Status'), dataIndex: 'reversed', render: (v: boolean) => (v ? <Tag color="volcano" style={darkText}>{t('已退回', 'Refunded')}</Tag> : <Tag color="green" style={darkText}>{t('已到账', 'Paid')}</Tag>) },
            {
              title: t('补助核定', 'R2 assessment'),
              key: 'assessed',
              render: (_: unknown, r) => {
                const pending = data.pending.filter((p) => p.paymentId === r.paymentId);
                return pending.length ? <Tag color="gold" style={darkText}>{t('待核定', 'Pending')}</Tag> : <Tag color="green" style={darkText}>{t('已核定', 'Assessed')}</Tag>;
              },
            },
            {
              title: t('操作', 'Actions'),
              key: 'a',
              render: (_: unknown, r) => (
                <Space size={4} wrap>
                  {data.pending.filter((p) => p.paymentId === r.paymentId).map((p) => cmdButton(`${P}payments/{paymentId}/assessment`, { paymentId: r.paymentId }, { step: p.step }))[0]}
                  {!r.reversed && canConvert && cmdButton(`${P}payments/{paymentId}/reversal`, { paymentId: r.paymentId }, { reversedOn: today })}
                </Space>
              ),
            },
          ]}
        />
        {data.pending.length > 0 && (
          <Alert
            style={{ marginTop: 12 }}
            type="warning"
            showIcon
            message={t(`有 ${data.pending.length} 笔到账尚待补助核定（R2）`, `${data.pending.length} bank payment step(s) await the R2 assessment`)}
            description={data.pending.map((p) => `${p.paymentId}（${p.step === 'payment' ? t('到账', 'payment') : t('退回', 'reversal')}）`).join('；')}
          />
        )}
        {Object.keys(s.moneyCorrections).length > 0 && (
          <Table
            size="small"
            rowKey="correctionId"
            pagination={false}
            scroll={{ x: 'max-content' }}
            style={{ marginTop: 12 }}
            aria-label={t('金额更正', 'Money corrections')}
            dataSource={Object.entries(s.moneyCorrections).map(([correctionId, c]) => ({ correctionId, ...c }))}
            columns={[
              { title: t('更正编号', 'Correction'), dataIndex: 'correctionId' },
              { title: t('内容', 'Correction'), dataIndex: 'correction', render: (c: Record<string, unknown>) => Object.entries(c).map(([k, v]) => `${i18n.field(k)}：${String(v)}`).join('；') },
              { title: t('理由', 'Reason'), dataIndex: 'reason' },
              { title: t('申请人', 'Requested by'), dataIndex: 'requestedBy' },
              { title: t('状态', 'Status'), dataIndex: 'status', render: (v: string) => <StatusTag status={v === 'approved' ? 'accepted' : v === 'rejected' ? 'returned' : 'pending'} /> },
              {
                title: t('操作', 'Actions'),
                key: 'a',
                render: (_: unknown, r) =>
                  r.status === 'pending' ? (
                    <Space size={4} wrap>
                      {cmdButton(`${P}money-corrections/{correctionId}/approval`, { correctionId: r.correctionId })}
                      {cmdButton(`${P}money-corrections/{correctionId}/rejection`, { correctionId: r.correctionId })}
                    </Space>
                  ) : null,
              },
            ]}
          />
        )}
      </Section>

      <Section id="sec-money" title={t('资金拨付', 'Disbursements')}>
        {s.r1 && (
          <Typography.Paragraph>
            {t('立项资助（R1）', 'Selection grant (R1)')}：<Money fen={s.r1.amount} />（<Link to={`/disbursements/${encodeURIComponent(s.r1.disbursementId)}`} style={{ textDecoration: 'underline' }}>{s.r1.disbursementId}</Link>）
          </Typography.Paragraph>
        )}
        {reporting ? (
          <Table
            size="small"
            rowKey="disbursementId"
            pagination={false}
            scroll={{ x: 'max-content' }}
            aria-label={t('资金拨付', 'Disbursements')}
            dataSource={reporting.disbursements}
            locale={{ emptyText: t('无拨付', 'No disbursement') }}
            columns={[
              { title: t('拨付编号', 'Disbursement'), dataIndex: 'disbursementId', render: (id: string) => <Link to={`/disbursements/${encodeURIComponent(id)}`}>{id}</Link> },
              { title: t('规则', 'Rule'), dataIndex: 'rule', render: (r: string | null) => i18n.label(kinds, r) },
              { title: t('收款单位', 'Payee'), dataIndex: 'payeeName' },
              { title: t('金额', 'Amount'), dataIndex: 'amount', render: (v: Fenish) => <Money fen={v} /> },
              { title: t('状态', 'Status'), dataIndex: 'status', render: (v: string | null) => <StatusTag status={v} /> },
              { title: t('申请日期', 'Requested on'), dataIndex: 'requestedOn', render: (d: string | null) => i18n.date(d) },
              { title: t('支付日期', 'Paid on'), dataIndex: 'paidOn', render: (d: string | null) => i18n.date(d) },
              { title: t('已追回', 'Clawed back'), dataIndex: 'clawedBackAmount', render: (v: Fenish) => <Money fen={v} /> },
            ]}
          />
        ) : (
          !s.r1 && <Typography.Text type="secondary">{t('无拨付记录或无权查看。', 'No disbursement, or not yours to see.')}</Typography.Text>
        )}
      </Section>

      <Section id="sec-ledger" title={t('补助台账', 'Subsidy ledger')}>
        {ledgers.length === 0 ? (
          <Typography.Text type="secondary">{t('尚无成果转化补助（R2）台账。', 'No R2 ledger yet.')}</Typography.Text>
        ) : (
          <Space direction="vertical" style={{ width: '100%' }}>
            {ledgers.map((l) => (
              <div key={`${l.creditCode}/${l.year}`}>
                <Typography.Text strong>{t(`${l.year} 年 · ${l.creditCode}`, `${l.year} · ${l.creditCode}`)}</Typography.Text>
                {l.state ? (
                  <>
                    <Descriptions size="small" column={{ xs: 1, md: 3 }}>
                      <Descriptions.Item label={t('应享补助', 'Entitlement')}><Money fen={l.state.entitlement} /></Descriptions.Item>
                      <Descriptions.Item label={t('已核定', 'Granted')}><Money fen={l.state.granted} /></Descriptions.Item>
                      <Descriptions.Item label={t('已追回', 'Clawed back')}><Money fen={l.state.clawedBack} /></Descriptions.Item>
                    </Descriptions>
                    <Table
                      size="small"
                      rowKey={(r) => `${r.projectId}/${r.paymentId}`}
                      pagination={false}
                      scroll={{ x: 'max-content' }}
                      aria-label={t(`${l.year} 年补助台账`, `R2 ledger ${l.year}`)}
                      dataSource={l.state.entries}
                      columns={[
                        { title: t('项目', 'Project'), dataIndex: 'projectId', render: (id: string) => (id === projectId ? id : <Link to={`/projects/${encodeURIComponent(id)}`}>{id}</Link>) },
                        { title: t('合同', 'Contract'), dataIndex: 'contractId' },
                        { title: t('到账编号', 'Payment'), dataIndex: 'paymentId' },
                        { title: t('到账金额', 'Paid'), dataIndex: 'amount', render: (v: number) => <Money fen={v} /> },
                        { title: t('退回', 'Refunded'), dataIndex: 'reversed', render: (v: boolean) => (v ? t('是', 'Yes') : t('否', 'No')) },
                        { title: t('应享补助', 'Entitlement'), dataIndex: 'entitlement', render: (v: number) => <Money fen={v} /> },
                      ]}
                    />
                  </>
                ) : (
                  <Typography.Paragraph type="secondary">{t('该年度尚无台账。', 'No ledger for that year yet.')}</Typography.Paragraph>
                )}
              </div>
            ))}
          </Space>
        )}
      </Section>

      <Section id="sec-evidence" title={t('证明材料', 'Evidence')}>
        {evidence === null ? (
          <Typography.Text type="secondary">{t('您的角色不能查看证明材料。', 'Your role cannot see evidence files.')}</Typography.Text>
        ) : (
          <EvidenceTable projectId={projectId} items={evidence} />
        )}
        {may(EVIDENCE) && !ended && (
          <EvidenceUpload
            projectId={projectId}
            revision={data.revision}
            milestones={Object.keys(s.milestones)}
            payments={Object.keys(s.payments)}
            onDone={(position) => {
              setStale(null);
              void load(position);
            }}
            onStale={() => void onStale()}
          />
        )}
      </Section>
    </Space>
  );

  return (
    <>
      {content}
      <Drawer
        open={form !== null}
        onClose={() => setForm(null)}
        title={form ? i18n.command(form.path) : ''}
        size={'min(720px, 100vw)' as never}
        destroyOnHidden
        styles={{ body: { paddingTop: 8 } }}
      >
        {form && (
          <CommandForm
            key={`${form.path}|${JSON.stringify(form.params)}`}
            bare
            path={form.path}
            params={form.params}
            ifMatch={data.revision}
            {...(form.initialValues ? { initialValues: form.initialValues } : {})}
            {...(form.hidden ? { hidden: form.hidden } : {})}
            notice={staleAlert}
            onStale={() => void onStale()}
            onDone={(result) => {
              setStale(null);
              setForm(null);
              setDone(t(`已完成：${i18n.command(form.path)}`, `Done: ${i18n.command(form.path)}`));
              void load(result.position);
            }}
          />
        )}
      </Drawer>
    </>
  );
}

function EvidenceTable({ projectId, items }: { projectId: string; items: Evidence[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      {error != null && <Problem error={error} />}
      <Table<Evidence>
        size="small"
        rowKey="evidenceId"
        pagination={false}
        scroll={{ x: 'max-content' }}
        aria-label={t('证明材料', 'Evidence files')}
        dataSource={items}
        locale={{ emptyText: t('尚无证明材料', 'No evidence file yet') }}
        columns={[
          { title: t('文件名', 'File'), dataIndex: 'name' },
          { title: t('附于', 'Attached to'), dataIndex: 'attachedTo', render: (a: Evidence['attachedTo']) => `${i18n.label(evidenceKinds, a.kind)}${a.kind === 'milestone' || a.kind === 'payment' ? ` ${a.id}` : ''}` },
          { title: t('大小', 'Size'), dataIndex: 'size', render: (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`) },
          { title: t('上传人', 'By'), dataIndex: 'by' },
          { title: t('上传时间', 'At'), dataIndex: 'at', render: (v: string) => i18n.dateTime(v) },
          { title: 'SHA-256', dataIndex: 'sha256', render: (h: string) => <Typography.Text code title={h}>{h.slice(0, 12)}…</Typography.Text> },
          {
            title: t('操作', 'Actions'),
            key: 'dl',
            render: (_: unknown, e) => (
              <Button
                size="small"
                aria-label={t(`下载 ${e.name}`, `Download ${e.name}`)}
                onClick={() => {
                  setError(null);
                  download(`/v1/projects/${encodeURIComponent(projectId)}/evidence/${encodeURIComponent(e.evidenceId)}`, e.name).catch(setError);
                }}
              >
                {t('下载', 'Download')}
              </Button>
            ),
          },
        ]}
      />
    </>
  );
}

/** Uploads one file as evidence: the body is the file's bytes, the target in the query (services/lifecycle-api/src/routes/evidence-routes.ts). */
function EvidenceUpload({ projectId, revision, milestones, payments, onDone, onStale }: { projectId: string; revision: number; milestones: string[]; payments: string[]; onDone(position: string | null): void; onStale(): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [attachTo, setAttachTo] = useState<string>('project');
  const [targetId, setTargetId] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const key = useRef(newIdempotencyKey());
  const inputRef = useRef<HTMLInputElement>(null);
  const targets = attachTo === 'milestone' ? milestones : attachTo === 'payment' ? payments : [];
  const label = i18n.command(EVIDENCE);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setDone(null);
    if (!file) {
      setError(new Error(t('请选择文件', 'Choose a file')));
      return;
    }
    if ((attachTo === 'milestone' || attachTo === 'payment') && !targetId) {
      setError(new Error(t('请选择所附的节点或到账', 'Choose the milestone or payment')));
      return;
    }
    setBusy(true);
    try {
      const qs = new URLSearchParams({ name: file.name, ...(attachTo !== 'project' ? { attachTo } : {}), ...(targetId && (attachTo === 'milestone' || attachTo === 'payment') ? { targetId } : {}) });
      const result = await command(`${commandUrl(EVIDENCE, { projectId })}?${qs}`, null, { idempotencyKey: key.current, ifMatch: revision, file });
      key.current = newIdempotencyKey();
      setDone(t(`已上传：${file.name}`, `Uploaded: ${file.name}`));
      setFile(null);
      if (inputRef.current) inputRef.current.value = '';
      onDone(result.position);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'NETWORK')) key.current = newIdempotencyKey();
      if (err instanceof ApiError && err.code === 'PRECONDITION_FAILED') onStale();
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form aria-label={label} onSubmit={(e) => void submit(e)} style={{ marginTop: 12, display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
      <label htmlFor={`${id}-file`}>{t('选择文件', 'File')}</label>
      <input id={`${id}-file`} ref={inputRef} type="file" accept="application/pdf,image/png,image/jpeg,.docx,.xlsx,.pptx,.doc,.xls" onChange={(e) => setFile(e.target.files?.[0] ?? null)} style={{ maxWidth: '100%' }} />
      <label htmlFor={`${id}-to`}>{t('附于', 'Attach to')}</label>
      <Select
        id={`${id}-to`}
        value={attachTo}
        onChange={(v) => {
          setAttachTo(v);
          setTargetId(undefined);
        }}
        style={{ minWidth: 120 }}
        options={['project', 'milestone', 'payment', 'acceptance'].map((k) => ({ value: k, label: i18n.label(evidenceKinds, k) }))}
      />
      {targets.length > 0 && (
        <>
          <label htmlFor={`${id}-target`}>{attachTo === 'milestone' ? t('节点', 'Milestone') : t('到账', 'Payment')}</label>
          <Select id={`${id}-target`} value={targetId} onChange={setTargetId} style={{ minWidth: 120 }} options={targets.map((x) => ({ value: x, label: x }))} />
        </>
      )}
      <Button type="primary" htmlType="submit" loading={busy}>
        {label}
      </Button>
      {error != null && <div style={{ flexBasis: '100%' }}><Problem error={error} /></div>}
      {done && <div style={{ flexBasis: '100%' }}><Alert type="success" showIcon role="status" message={done} /></div>}
    </form>
  );
}

