import { Button, Card, Descriptions, Form, Input, Select, Space, Spin, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { PagedTable, Problem, StageTag, StatusTag } from '../components/bits';
import { ApiError, getJson } from '../lib/api';
import { checkTreeHead, type HeadCheck, type HeadKey, type TreeHead } from '../lib/checkpoint';
import { useI18n } from '../lib/i18n';
import { loadSession } from '../lib/session';

interface VerifyReport {
  ok: boolean;
  events: number;
  streams: number;
  problemCount: number;
  problemsOutsideBureau: number;
  durationMs: number;
  firstBadEvent: { kind: string; detail: string; stream: string | null; revision: number | null } | null;
  treeHeads: { checked: number; latest: { treeSize: number; rootHash: string } | null; streamHeadsChecked: number };
  witness: { matchesStore: boolean; size: number };
}

interface StoreCheck {
  report: VerifyReport;
  head: TreeHead | null;
  check: HeadCheck | null;
}

/** The verification badge: white on dark green or dark red (WCAG AA contrast). */
export const badge = { fontSize: 16, padding: '4px 12px', color: '#fff' };

/** A hash shown short, whole on hover and selectable/copyable. */
export function Hash({ value }: { value: string | null | undefined }) {
  const { t } = useI18n();
  if (!value) return <span>—</span>;
  return (
    <Typography.Text code copyable={{ text: value, tooltips: [t('复制完整哈希', 'Copy the full hash'), t('已复制', 'Copied')] }} title={value} style={{ whiteSpace: 'nowrap' }}>
      {value.slice(0, 12)}…
    </Typography.Text>
  );
}

async function text(path: string): Promise<string | null> {
  const s = loadSession();
  const res = await fetch(path, { headers: s ? { authorization: `Bearer ${s.token}` } : {} });
  if (res.status === 404) return null;
  if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText, {});
  return res.text();
}

async function checkStore(): Promise<StoreCheck> {
  const report = (await getJson<VerifyReport>('/v1/audit/verify')).data;
  let head: TreeHead | null = null;
  try {
    head = (await getJson<TreeHead>('/v1/audit/tree-heads/latest')).data;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
  if (!head) return { report, head, check: null };
  const [checkpoint, keys] = await Promise.all([text('/v1/audit/checkpoint'), getJson<{ keys: HeadKey[] }>('/v1/audit/public-keys')]);
  const check = await checkTreeHead(head, keys.data.keys, checkpoint);
  return { report, head, check };
}

/** The store's verification: every hash chain, the latest signed tree head and its checkpoint, as one badge with its details. */
export function StoreVerification() {
  const i18n = useI18n();
  const { t } = i18n;
  const [state, setState] = useState<StoreCheck | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const run = useCallback(() => {
    setLoading(true);
    setError(null);
    checkStore()
      .then(setState)
      .catch(setError)
      .finally(() => setLoading(false));
  }, []);
  useEffect(run, [run]);
  const ok = state ? state.report.ok && (state.check === null || (state.check.headSignature !== false && state.check.checkpoint !== false && state.check.keyIdMatches)) : null;
  const yesNo = (v: boolean | null | undefined) => (v === null || v === undefined ? t('本浏览器未核验', 'not checked in this browser') : v ? t('通过', 'valid') : t('不通过', 'invalid'));
  return (
    <Card
      title={t('存证验证', 'Store verification')}
      extra={<Button size="small" onClick={run} loading={loading}>{t('重新验证', 'Verify again')}</Button>}
      aria-busy={loading}
    >
      <Problem error={error} />
      {!state && !error && <Spin aria-label={t('验证中', 'Verifying')} />}
      {state && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <div data-testid="store-badge" role="status">
            {ok ? (
              <Tag style={{ ...badge, background: '#237804', borderColor: '#237804' }}>✓ {t('已验证', 'Verified')}</Tag>
            ) : (
              <Tag style={{ ...badge, background: '#a8071a', borderColor: '#a8071a' }}>✗ {t('验证失败', 'Verification failed')}</Tag>
            )}
            <Typography.Text>
              {t(`哈希链：${state.report.streams} 条流、${state.report.events} 个事件，问题 ${state.report.problemCount} 个`, `Hash chains: ${state.report.streams} streams, ${state.report.events} events, ${state.report.problemCount} problems`)}
            </Typography.Text>
          </div>
          {state.report.firstBadEvent && (
            <Typography.Text type="danger">
              {t('首个问题', 'First problem')}: {state.report.firstBadEvent.kind} {state.report.firstBadEvent.stream ?? ''} {state.report.firstBadEvent.revision ?? ''} — {state.report.firstBadEvent.detail}
            </Typography.Text>
          )}
          {state.head ? (
            <Descriptions size="small" column={{ xs: 1, md: 2 }} bordered items={[
              { key: 'size', label: t('树大小', 'Tree size'), children: <span data-testid="tree-size">{state.head.treeSize}</span> },
              { key: 'root', label: t('根哈希', 'Root hash'), children: <Hash value={state.head.rootHash} /> },
              { key: 'sealed', label: t('签署时间', 'Signed at'), children: i18n.dateTime(state.head.sealedAt) },
              { key: 'key', label: t('密钥 ID', 'Key id'), children: <Hash value={state.head.keyId} /> },
              { key: 'sig', label: t('树头签名', 'Tree head signature'), children: yesNo(state.check?.headSignature) },
              { key: 'cp', label: t('检查点（C2SP）', 'Checkpoint (C2SP)'), children: yesNo(state.check?.checkpoint) },
              { key: 'streams', label: t('已核对的流头', 'Stream heads checked'), children: state.report.treeHeads.streamHeadsChecked },
              { key: 'witness', label: t('见证记录与存储一致', 'Witness matches the store'), children: state.report.witness.matchesStore ? t('是', 'yes') : t('否', 'no') },
            ]} />
          ) : (
            <Typography.Text>{t('尚未签署树头（每 5 分钟自动签署一次；导出审计包时也会签署）。', 'No tree head signed yet (sealed every 5 minutes, and when a bundle is exported).')}</Typography.Text>
          )}
        </Space>
      )}
    </Card>
  );
}

type ProjectRow = { projectId: string; title: string | null; status: string | null; stage: string | null; county: string | null; industry: string | null; programmeId: string | null; submittedOn: string | null };

/** The auditor's start: the store's verification badge, and any project to replay. */
export default function Audit() {
  const i18n = useI18n();
  const { t } = i18n;
  const navigate = useNavigate();
  const [filters, setFilters] = useState<{ programmeId?: string; stage?: string; industry?: string }>({});
  const open = (id: string) => {
    const v = id.trim();
    if (v) navigate(`/audit/projects/${encodeURIComponent(v)}`);
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>{t('审计核查', 'Audit')}</Typography.Title>
      <StoreVerification />
      <Card title={t('选择项目', 'Pick a project')}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Input.Search
            aria-label={t('按项目编号打开', 'Open by project id')}
            placeholder={t('输入项目编号，回车打开', 'Type a project id, Enter to open')}
            enterButton={t('打开', 'Open')}
            onSearch={open}
            style={{ maxWidth: 480 }}
          />
          <Form layout="inline" onFinish={(v: { programmeId?: string; stage?: string; industry?: string }) => setFilters({ programmeId: v.programmeId || undefined, stage: v.stage || undefined, industry: v.industry || undefined })} style={{ rowGap: 8 }}>
            <Form.Item name="programmeId" label={t('计划编号', 'Programme id')}>
              <Input style={{ width: 160 }} />
            </Form.Item>
            <Form.Item name="stage" label={t('阶段', 'Stage')}>
              <Select allowClear style={{ width: 140 }} options={['solicitation', 'advancement', 'promotion'].map((s) => ({ value: s, label: i18n.stage(s) }))} />
            </Form.Item>
            <Form.Item name="industry" label={t('产业', 'Industry')}>
              <Input style={{ width: 140 }} />
            </Form.Item>
            <Form.Item>
              <Button htmlType="submit">{t('筛选', 'Filter')}</Button>
            </Form.Item>
          </Form>
          <PagedTable<ProjectRow>
            path="/v1/reporting/projects"
            query={{ ...filters, sort: 'projectId', order: 'asc' }}
            rowKey="projectId"
            caption={t('项目（点击编号查看审计时间线）', 'Projects (open one to audit it)')}
            pageSize={20}
            columns={[
              { title: t('项目编号', 'Project id'), dataIndex: 'projectId', render: (id: string) => <Link to={`/audit/projects/${encodeURIComponent(id)}`}>{id}</Link> },
              { title: t('名称', 'Title'), dataIndex: 'title' },
              { title: t('阶段', 'Stage'), dataIndex: 'stage', render: (s: string) => <StageTag stage={s} /> },
              { title: t('状态', 'Status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
              { title: t('计划', 'Programme'), dataIndex: 'programmeId' },
              { title: t('申报日期', 'Submitted'), dataIndex: 'submittedOn', render: (d: string) => i18n.date(d) },
            ]}
          />
        </Space>
      </Card>
    </Space>
  );
}
