import { Button, Card, Col, Form, Input, Radio, Row, Select, Space, Tag, Typography } from 'antd';
import { useEffect, useMemo } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { Money, PagedTable, StageTag, StatusTag } from '../components/bits';
import { useAuth } from '../lib/auth';
import { useI18n } from '../lib/i18n';
import { stages, statuses } from '../lib/messages';

/** The filters of GET /v1/reporting/projects the page offers, in the URL as they are sent. */
const FILTERS = ['programmeId', 'stage', 'status', 'industry', 'county', 'countyCode', 'overdue', 'submittedFrom', 'submittedTo', 'sort', 'order'] as const;
type FilterName = (typeof FILTERS)[number];
const PROJECT_STATUSES = ['submitted', 'in_expert_review', 'in_publicity', 'approved', 'in_progress', 'acceptance_applied', 'acceptance_concluded', 'closed', 'rejected', 'terminated', 'withdrawn'];
// Who may read GET /v1/reporting/projects (services/reporting-api/src/routes/lists.ts).
const READERS = ['officer', 'reporter', 'auditor', 'approver', 'finance'];

interface ProjectRow {
  projectId: string;
  title: string | null;
  stage: string | null;
  status: string | null;
  county: string | null;
  industry: string | null;
  approvedFunding: number | string | null;
  daysLeft: number | null;
  milestonesOverdue: number | null;
  rectificationsOverdue: number | null;
  acceptanceOverdue: boolean | null;
}

function queryOf(params: URLSearchParams): Partial<Record<FilterName, string>> {
  const q: Partial<Record<FilterName, string>> = {};
  for (const f of FILTERS) {
    const v = params.get(f)?.trim();
    if (v) q[f] = v;
  }
  return q;
}

/**
 * Search and filter across projects: a list paged by the server (GET /v1/reporting/projects), its
 * filters in the URL (`#/projects?stage=advancement&overdue=true`) so a filtered list is a link.
 */
export default function Projects() {
  const i18n = useI18n();
  const { t } = i18n;
  const { session } = useAuth();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const [form] = Form.useForm();
  const [jump] = Form.useForm();
  const query = useMemo(() => queryOf(params), [params]);
  const canRead = (session?.roles ?? []).some((r) => READERS.includes(r));

  useEffect(() => {
    form.resetFields();
    form.setFieldsValue({ overdue: '', order: 'asc', sort: 'projectId', ...query });
  }, [form, query]);

  function apply(values: Record<string, unknown>) {
    const next = new URLSearchParams();
    for (const f of FILTERS) {
      const v = typeof values[f] === 'string' ? (values[f] as string).trim() : '';
      if (!v) continue;
      if ((f === 'sort' && v === 'projectId') || (f === 'order' && v === 'asc')) continue;
      next.set(f, v);
    }
    setParams(next);
  }

  const overdueOf = (r: ProjectRow) => (r.milestonesOverdue ?? 0) > 0 || (r.rectificationsOverdue ?? 0) > 0 || r.acceptanceOverdue === true;
  const columns = [
    { title: t('项目编号', 'Project'), dataIndex: 'projectId', render: (id: string) => <Link to={`/projects/${encodeURIComponent(id)}`}>{id}</Link> },
    { title: t('项目名称', 'Title'), dataIndex: 'title', render: (v: string | null) => v ?? '—' },
    { title: t('阶段', 'Stage'), dataIndex: 'stage', render: (s: string | null) => <StageTag stage={s} /> },
    { title: t('状态', 'Status'), dataIndex: 'status', render: (s: string | null) => <StatusTag status={s} /> },
    { title: t('县（市、区）', 'County'), dataIndex: 'county', render: (v: string | null) => v ?? '—' },
    { title: t('产业', 'Industry'), dataIndex: 'industry', render: (v: string | null) => v ?? '—' },
    { title: t('立项资助（元）', 'Approved funding (yuan)'), dataIndex: 'approvedFunding', align: 'right' as const, render: (f: number | string | null) => <Money fen={f} /> },
    {
      title: t('剩余天数 / 逾期', 'Days left / overdue'),
      dataIndex: 'daysLeft',
      render: (n: number | null, r: ProjectRow) => (
        <Space size={4} wrap>
          {n === null ? '—' : n < 0 ? <Tag color="red">{t(`超期 ${-n} 天`, `${-n} days past the end`)}</Tag> : t(`${n} 天`, `${n} days`)}
          {overdueOf(r) && <Tag color="red">{t('有逾期事项', 'Something overdue')}</Tag>}
        </Space>
      ),
    },
  ];

  const opt = (dict: Record<string, { zh: string; en: string }>, codes: string[]) => codes.map((c) => ({ value: c, label: dict[c]?.[i18n.lang] ?? c }));
  const col = { xs: 24, sm: 12, lg: 6 };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>{t('项目查询', 'Projects')}</Typography.Title>
      {!canRead && (
        <Typography.Paragraph type="secondary">
          {t('项目列表由项目专员、审批、财务、审计和统计人员查阅；您可从自己页面中的链接打开项目。', 'The list of projects is for officers, approvers, finance, auditors and reporters; open a project from the links in your own pages.')}
        </Typography.Paragraph>
      )}
      <Card size="small" title={t('按编号打开项目', 'Open a project by its id')}>
        <Form form={jump} layout="inline" aria-label={t('按编号打开项目', 'Open a project by its id')} onFinish={(v: { projectId?: string }) => v.projectId?.trim() && navigate(`/projects/${encodeURIComponent(v.projectId.trim())}`)}>
          <Form.Item name="projectId" label={t('项目编号', 'Project id')} rules={[{ required: true, message: t('请填写项目编号', 'Project id is required') }]}>
            <Input style={{ width: 220 }} />
          </Form.Item>
          <Form.Item>
            <Button htmlType="submit">{t('打开', 'Open')}</Button>
          </Form.Item>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {t(
            '项目名称的全文检索暂不支持（查询接口尚无按名称检索的参数）；请按编号打开，或用下面的条件筛选。',
            'Searching titles is not available yet (the reporting API has no title search); open a project by its id, or filter below.',
          )}
        </Typography.Paragraph>
      </Card>
      <Card size="small" title={t('筛选条件', 'Filters')}>
        <Form form={form} layout="vertical" aria-label={t('筛选项目', 'Filter projects')} onFinish={(v) => apply(v as Record<string, unknown>)}>
          <Row gutter={12}>
            <Col {...col}>
              <Form.Item name="programmeId" label={t('计划编号', 'Programme id')}>
                <Input />
              </Form.Item>
            </Col>
            <Col {...col}>
              <Form.Item name="stage" label={t('阶段', 'Stage')}>
                <Select allowClear showSearch optionFilterProp="label" options={opt(stages, Object.keys(stages))} />
              </Form.Item>
            </Col>
            <Col {...col}>
              <Form.Item name="status" label={t('状态', 'Status')}>
                <Select allowClear showSearch optionFilterProp="label" options={opt(statuses, PROJECT_STATUSES)} />
              </Form.Item>
            </Col>
            <Col {...col}>
              <Form.Item name="overdue" label={t('逾期事项', 'Overdue items')}>
                <Radio.Group options={[{ value: '', label: t('不限', 'Any') }, { value: 'true', label: t('有逾期', 'Overdue') }, { value: 'false', label: t('无逾期', 'None') }]} />
              </Form.Item>
            </Col>
            <Col {...col}>
              <Form.Item name="industry" label={t('产业', 'Industry')}>
                <Input />
              </Form.Item>
            </Col>
            <Col {...col}>
              <Form.Item name="county" label={t('县（市、区）', 'County')}>
                <Input />
              </Form.Item>
            </Col>
            <Col {...col}>
              <Form.Item name="countyCode" label={t('县区代码', 'County code')} rules={[{ pattern: /^[1-9][0-9]{5}$/, message: t('六位行政区划代码，如 331081', 'A 6-digit GB/T 2260 code, e.g. 331081') }]}>
                <Input inputMode="numeric" />
              </Form.Item>
            </Col>
            <Col {...col}>
              <Form.Item label={t('申报日期', 'Submitted')} style={{ marginBottom: 0 }}>
                <Space.Compact style={{ width: '100%' }}>
                  <Form.Item name="submittedFrom" noStyle>
                    <Input type="date" aria-label={t('申报日期起', 'Submitted from')} />
                  </Form.Item>
                  <Form.Item name="submittedTo" noStyle>
                    <Input type="date" aria-label={t('申报日期止', 'Submitted to')} />
                  </Form.Item>
                </Space.Compact>
              </Form.Item>
            </Col>
            <Col {...col}>
              <Form.Item name="sort" label={t('排序', 'Sort by')}>
                <Select options={[{ value: 'projectId', label: t('项目编号', 'Project id') }, { value: 'submittedOn', label: t('申报日期', 'Submitted on') }, { value: 'title', label: t('项目名称', 'Title') }]} />
              </Form.Item>
            </Col>
            <Col {...col}>
              <Form.Item name="order" label={t('顺序', 'Order')}>
                <Radio.Group options={[{ value: 'asc', label: t('升序', 'Ascending') }, { value: 'desc', label: t('降序', 'Descending') }]} />
              </Form.Item>
            </Col>
          </Row>
          <Space>
            <Button type="primary" htmlType="submit">{t('查询', 'Search')}</Button>
            <Button onClick={() => setParams(new URLSearchParams())}>{t('清除条件', 'Clear')}</Button>
          </Space>
        </Form>
      </Card>
      {canRead && (
        <PagedTable<ProjectRow>
          path="/v1/reporting/projects"
          query={query}
          rowKey="projectId"
          caption={t('项目列表', 'Projects')}
          columns={columns}
        />
      )}
    </Space>
  );
}
