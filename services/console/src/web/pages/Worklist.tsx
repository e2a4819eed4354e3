import { Card, Col, Progress, Row, Space, Tabs, Tag, Typography } from 'antd';
import { Link } from 'react-router-dom';
import { PagedTable, StageTag, StatusTag } from '../components/bits';
import { useI18n } from '../lib/i18n';
import { kinds } from '../lib/messages';

/** Where each role starts. */
export function homeFor(roles: string[]): string {
  if (roles.includes('officer')) return '/worklist';
  if (roles.includes('reviewer')) return '/reviews';
  if (roles.includes('approver')) return '/approvals';
  if (roles.includes('finance')) return '/finance';
  if (roles.includes('auditor')) return '/audit';
  if (roles.includes('reporter')) return '/reports';
  return '/projects';
}

type Due = { itemKey: string; kind: string | null; projectId: string | null; itemId: string | null; title: string | null; dueOn: string | null; overdue: boolean | null; daysUntilDue: number | null; projectTitle: string | null };
type ProjectRow = { projectId: string; title: string | null; status: string | null; stage: string | null; county: string | null; submittedOn: string | null };
type MilestoneRow = { milestoneKey: string; projectId: string; milestoneId: string; title: string | null; dueOn: string | null; reportedOn: string | null; projectTitle: string | null };
type ProgrammeRow = { programmeId: string; name: string | null; quota: number | null; slotsTaken: number | null; quotaRemaining: number | null; opensOn: string | null; closesOn: string | null; projectsSubmitted: number | null };

/** The officer's worklist: what waits for me, what falls due this month, what is overdue, and the programmes' quota. */
export function Worklist() {
  const i18n = useI18n();
  const { t } = i18n;
  const projectLink = (id: string | null, title?: string | null) => (id ? <Link to={`/projects/${encodeURIComponent(id)}`}>{title ? `${title}（${id}）` : id}</Link> : '—');
  const dueColumns = [
    { title: t('类型', 'Kind'), dataIndex: 'kind', render: (k: string) => <Tag>{i18n.label(kinds, k)}</Tag> },
    { title: t('事项', 'Item'), dataIndex: 'title', render: (v: string | null, r: Due) => v ?? r.itemId },
    { title: t('项目', 'Project'), dataIndex: 'projectId', render: (id: string, r: Due) => projectLink(id, r.projectTitle) },
    { title: t('到期日', 'Due on'), dataIndex: 'dueOn', render: (d: string) => i18n.date(d) },
    { title: t('剩余天数', 'Days left'), dataIndex: 'daysUntilDue', render: (n: number | null, r: Due) => (r.overdue ? <Tag color="red">{t(`逾期 ${-(n ?? 0)} 天`, `${-(n ?? 0)} days overdue`)}</Tag> : n) },
  ];
  const waiting = (status: string, what: string, whatEn: string) => (
    <PagedTable<ProjectRow>
      path="/v1/reporting/projects"
      query={{ status, sort: 'submittedOn', order: 'asc' }}
      rowKey="projectId"
      caption={t(what, whatEn)}
      pageSize={10}
      columns={[
        { title: t('项目', 'Project'), dataIndex: 'projectId', render: (id: string, r) => projectLink(id, r.title) },
        { title: t('阶段', 'Stage'), dataIndex: 'stage', render: (s: string) => <StageTag stage={s} /> },
        { title: t('状态', 'Status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
        { title: t('县（市、区）', 'County'), dataIndex: 'county' },
        { title: t('申报日期', 'Submitted'), dataIndex: 'submittedOn', render: (d: string) => i18n.date(d) },
      ]}
    />
  );
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>{t('我的待办', 'My worklist')}</Typography.Title>
      <Tabs
        items={[
          {
            key: 'waiting',
            label: t('待我处理', 'Waiting for me'),
            children: (
              <Space direction="vertical" style={{ width: '100%' }}>
                {waiting('submitted', '待形式审查、指派专家的申报', 'Proposals to review formally and assign experts')}
                {waiting('in_expert_review', '专家评审中（待公示）', 'In expert review (publicity to start)')}
                <PagedTable<MilestoneRow>
                  path="/v1/reporting/milestones"
                  query={{ status: 'reported', sort: 'dueOn', order: 'asc' }}
                  rowKey="milestoneKey"
                  caption={t('待验收的节点', 'Milestones to accept')}
                  pageSize={10}
                  columns={[
                    { title: t('节点', 'Milestone'), dataIndex: 'title', render: (v: string | null, r) => v ?? r.milestoneId },
                    { title: t('项目', 'Project'), dataIndex: 'projectId', render: (id: string, r) => projectLink(id, r.projectTitle) },
                    { title: t('报告日期', 'Reported on'), dataIndex: 'reportedOn', render: (d: string) => i18n.date(d) },
                    { title: t('到期日', 'Due on'), dataIndex: 'dueOn', render: (d: string) => i18n.date(d) },
                  ]}
                />
                {waiting('acceptance_concluded', '验收已结论，待结项', 'Acceptance concluded, to close')}
              </Space>
            ),
          },
          { key: 'month', label: t('本月到期', 'Due this month'), children: <PagedTable<Due> path="/v1/reporting/due" query={{ withinDays: 30, overdue: false, sort: 'dueOn', order: 'asc' }} rowKey="itemKey" caption={t('30 天内到期：节点、整改、验收与延期申请截止', 'Due within 30 days: milestones, rectifications, acceptance and extension deadlines')} columns={dueColumns} /> },
          { key: 'overdue', label: t('已逾期', 'Overdue'), children: <PagedTable<Due> path="/v1/reporting/due" query={{ overdue: true, sort: 'dueOn', order: 'asc' }} rowKey="itemKey" caption={t('已逾期事项', 'Overdue items')} columns={dueColumns} /> },
        ]}
      />
      <Card size="small" title={t('计划与立项名额', 'Programmes and their quota')}>
        <ProgrammeQuota />
      </Card>
    </Space>
  );
}

function ProgrammeQuota() {
  const i18n = useI18n();
  const { t } = i18n;
  return (
    <PagedTable<ProgrammeRow>
      path="/v1/reporting/programmes"
      query={{ sort: 'launchedOn', order: 'desc' }}
      rowKey="programmeId"
      caption={t('名额使用情况', 'Quota used')}
      pageSize={10}
      columns={[
        { title: t('计划', 'Programme'), dataIndex: 'name', render: (n: string | null, r) => `${n ?? ''}（${r.programmeId}）` },
        { title: t('征集期', 'Solicitation'), dataIndex: 'opensOn', render: (_: unknown, r) => (r.opensOn ? `${i18n.date(r.opensOn)} – ${i18n.date(r.closesOn)}` : t('未开始', 'not opened')) },
        { title: t('申报数', 'Proposals'), dataIndex: 'projectsSubmitted' },
        {
          title: t('名额使用', 'Quota used'),
          dataIndex: 'slotsTaken',
          render: (_: unknown, r) => (
            <Row gutter={8} style={{ minWidth: 180 }} wrap={false}>
              <Col flex="auto">
                <Progress percent={r.quota ? Math.round(((r.slotsTaken ?? 0) / r.quota) * 100) : 0} size="small" showInfo={false} aria-label={t('名额使用', 'Quota used')} />
              </Col>
              <Col>{`${r.slotsTaken ?? 0} / ${r.quota ?? 0}`}</Col>
            </Row>
          ),
        },
      ]}
    />
  );
}
