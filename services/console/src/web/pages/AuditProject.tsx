import { Alert, App as AntApp, Button, Card, Descriptions, Slider, Space, Spin, Table, Tag, Typography, type TableColumnsType } from 'antd';
import { useCallback, useEffect, useId, useMemo, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Problem, StageTag, StatusTag } from '../components/bits';
import { useFocusableScroll } from '../components/focusable-scroll';
import { download, getJson } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { badge, Hash } from './Audit';

interface Ref {
  eventId: string;
  type: string;
  stream: string | null;
  revision: number | null;
}
interface CorrectedBy {
  eventId: string;
  type: string;
  stream: string;
  revision: number;
  reason: string | null;
  by: { id: string; role: string };
  at: string;
}
interface HistoryEvent {
  id: string;
  stream: string;
  revision: number;
  type: string;
  position: string;
  hash: string;
  prevHash: string;
  data: Record<string, unknown>;
  metadata: { actorId: string; actorRole: string; recordedAt: string; effectiveDate?: string; reason?: string; backRecorded?: { by: string; role: string } };
  corrects?: Ref;
  correctedBy?: CorrectedBy[];
}
interface History {
  projectId: string;
  streams: string[];
  events: HistoryEvent[];
}
interface Correction {
  event: { eventId: string; type: string; reason: string | null; by: { id: string; role: string }; at: string };
  corrects: Ref;
  changes: Array<{ path: string; original: unknown; corrected: unknown }>;
}
interface StateAsOf {
  revision: number;
  eventCount: number;
  state: unknown;
  lastEvent: { id: string; type: string; recordedAt: string; hash: string } | null;
  corrections: Correction[];
}
interface Diff {
  from: { revision: number; recordedAt: string | null };
  to: { revision: number; recordedAt: string | null };
  changes: Array<{ path: string; before: unknown; after: unknown; changedBy: Array<{ id: string; type: string; actorId: string; actorRole: string; recordedAt: string; revision: number; corrects?: { eventId: string; type: string } }> }>;
  corrections: Correction[];
}
interface StreamCheck {
  stream: string;
  ok: boolean;
  count: number;
  sealedCount: number;
  firstBadEvent?: { problem: string; detail: string; revision: number };
}

/** A value of the state as short text. */
function show(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** An instant as the value of a datetime-local input (the browser's own time zone), to the second. */
function toLocalInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}
function fromLocalInput(v: string): number | null {
  const ms = new Date(v).getTime();
  return Number.isNaN(ms) ? null : ms;
}

/** The reason or comment a fact carries, where it has one. */
function reasonOf(e: HistoryEvent): string | undefined {
  const d = e.data;
  const pick = (k: string) => (typeof d[k] === 'string' && d[k] ? (d[k] as string) : undefined);
  return e.metadata.reason ?? pick('reason') ?? pick('comment') ?? pick('summary');
}

const darkText = { color: 'rgba(0, 0, 0, 0.88)' };

function focusEvent(eventId: string) {
  const row = document.querySelector<HTMLElement>(`[data-row-key="${CSS.escape(eventId)}"]`);
  if (row) {
    row.scrollIntoView({ block: 'center' });
    row.tabIndex = -1;
    row.focus();
  }
}

/** One project for the auditor: its timeline, its state on any date, the diff between two dates, its verification and its bundle. */
export default function AuditProject() {
  const { projectId = '' } = useParams();
  const i18n = useI18n();
  const { t } = i18n;
  const { message } = AntApp.useApp();
  const [history, setHistory] = useState<History | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [checks, setChecks] = useState<StreamCheck[] | null>(null);
  const [checkError, setCheckError] = useState<unknown>(null);
  const [asOf, setAsOf] = useState<number | null>(null);
  const [state, setState] = useState<StateAsOf | null>(null);
  const [stateError, setStateError] = useState<unknown>(null);
  const [range, setRange] = useState<{ from: string; to: string }>({ from: '', to: '' });
  const [diff, setDiff] = useState<Diff | null>(null);
  const [diffError, setDiffError] = useState<unknown>(null);
  const [diffLoading, setDiffLoading] = useState(false);
  const [downloading, setDownloading] = useState<string | null>(null);
  const asOfInputId = useId();
  const fromId = useId();
  const toId = useId();
  const P = `/v1/audit/projects/${encodeURIComponent(projectId)}`;
  const diffRef = useFocusableScroll();
  const timelineRef = useFocusableScroll();

  useEffect(() => {
    let live = true;
    setHistory(null);
    setError(null);
    getJson<History>(`${P}/history`)
      .then(({ data }) => {
        if (!live) return;
        setHistory(data);
        const own = data.events.filter((e) => e.stream === `project-${projectId}`);
        const times = (own.length ? own : data.events).map((e) => Date.parse(e.metadata.recordedAt));
        if (times.length) {
          const first = Math.min(...times);
          const last = Math.max(...times);
          setAsOf(last);
          setRange({ from: toLocalInput(first), to: toLocalInput(last) });
        }
        setChecks(null);
        setCheckError(null);
        Promise.all(data.streams.map((s) => getJson<StreamCheck>(`/v1/audit/streams/${encodeURIComponent(s)}/verify`).then((r) => r.data)))
          .then((c) => live && setChecks(c))
          .catch((e: unknown) => live && setCheckError(e));
      })
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [P, projectId]);

  const projectEvents = useMemo(() => (history ? history.events.filter((e) => e.stream === `project-${projectId}`) : []), [history, projectId]);
  const marks = useMemo(() => {
    // One mark per recorded instant (the slider stops only there: step null). A mark needs a label to count, so an empty element.
    const m: Record<number, ReactNode> = {};
    for (const e of projectEvents) m[Date.parse(e.metadata.recordedAt)] = <span aria-hidden />;
    return m;
  }, [projectEvents]);
  const markTimes = useMemo(() => Object.keys(marks).map(Number).sort((a, b) => a - b), [marks]);
  const min = markTimes[0] ?? 0;
  const max = markTimes.at(-1) ?? 0;

  useEffect(() => {
    if (asOf === null) return;
    let live = true;
    setStateError(null);
    // The end of the slider's millisecond: the store records microseconds (PostgreSQL), so the event of a mark at
    // 04:28:48.123 was recorded at 04:28:48.123456 and an asOf of .123 would leave it out.
    getJson<StateAsOf>(`${P}/state`, { asOf: new Date(asOf).toISOString().replace(/Z$/, '999Z') })
      .then(({ data }) => live && setState(data))
      .catch((e: unknown) => live && setStateError(e));
    return () => {
      live = false;
    };
  }, [P, asOf]);

  const runDiff = useCallback(() => {
    // A time typed to the second means the end of that second: the events recorded within it are in.
    const from = fromLocalInput(range.from);
    const to = fromLocalInput(range.to);
    if (from === null || to === null) return;
    const end = (ms: number) => ms + 999;
    setDiffLoading(true);
    setDiffError(null);
    getJson<Diff>(`${P}/diff`, { from: new Date(end(from)).toISOString(), to: new Date(end(to)).toISOString() })
      .then(({ data }) => setDiff(data))
      .catch(setDiffError)
      .finally(() => setDiffLoading(false));
  }, [P, range]);

  const bundle = async (evidence: boolean) => {
    setDownloading(evidence ? 'evidence' : 'plain');
    try {
      // The bundle route suggests no file name: <id>-bundle.json.
      await download(`${P}/bundle${evidence ? '?evidence=true' : ''}`, `${projectId}-bundle${evidence ? '-evidence' : ''}.json`);
      message.success(t('审计包已下载：可用 scripts/verify-bundle.mjs 离线验证。', 'Bundle downloaded: verify it offline with scripts/verify-bundle.mjs.'));
    } catch (e) {
      message.error(i18n.problem(e));
    } finally {
      setDownloading(null);
    }
  };

  const byId = useMemo(() => new Map((history?.events ?? []).map((e) => [e.id, e])), [history]);
  const goTo = (eventId: string, label: string) => (
    <Button type="link" size="small" style={{ padding: 0, height: 'auto' }} onClick={() => focusEvent(eventId)} disabled={!byId.has(eventId)}>
      {label}
    </Button>
  );

  const columns: TableColumnsType<HistoryEvent> = [
    { title: t('序号', '#'), key: 'n', render: (_v, _r, i) => i + 1, width: 56 },
    {
      title: t('事件', 'Event'),
      dataIndex: 'type',
      render: (type: string, e) => (
        <Space direction="vertical" size={0}>
          <Typography.Text strong>{i18n.event(type)}</Typography.Text>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>{type} · {e.stream} · r{e.revision}</Typography.Text>
        </Space>
      ),
    },
    { title: t('操作人', 'Actor'), key: 'actor', render: (_v, e) => <span data-testid="actor">{e.metadata.actorId}</span> },
    { title: t('角色', 'Role'), key: 'role', render: (_v, e) => i18n.role(e.metadata.actorRole) },
    { title: t('记录时间', 'Recorded'), key: 'recorded', render: (_v, e) => <span style={{ whiteSpace: 'nowrap' }}>{i18n.dateTime(e.metadata.recordedAt)}</span> },
    {
      title: t('生效时间', 'Effective'),
      key: 'effective',
      render: (_v, e) => (
        <Space direction="vertical" size={0}>
          <span style={{ whiteSpace: 'nowrap' }}>{e.metadata.effectiveDate ? i18n.date(e.metadata.effectiveDate) : i18n.dateTime(e.metadata.recordedAt)}</span>
          {e.metadata.backRecorded && (
            <Tag color="orange" style={darkText} title={t('事后补录：生效时间早于记录时间', 'Back-recorded: entered after it took effect')}>
              {t('补录', 'Back-recorded')} · {t('录入人', 'entered by')} {e.metadata.backRecorded.by}（{i18n.role(e.metadata.backRecorded.role)}）
            </Tag>
          )}
        </Space>
      ),
    },
    { title: t('原因 / 意见', 'Reason / comment'), key: 'reason', render: (_v, e) => reasonOf(e) ?? '—' },
    { title: t('哈希', 'Hash'), dataIndex: 'hash', render: (h: string) => <Hash value={h} /> },
    {
      title: t('更正', 'Corrections'),
      key: 'corr',
      render: (_v, e) => (
        <Space direction="vertical" size={0}>
          {e.corrects && (
            <span>
              <Tag color="purple" style={darkText}>{t('更正事件', 'Correction')}</Tag>
              {goTo(e.corrects.eventId, t(`更正：${i18n.event(e.corrects.type)}`, `corrects ${i18n.event(e.corrects.type)}`))}
            </span>
          )}
          {(e.correctedBy ?? []).map((c) => (
            <span key={c.eventId}>
              <Tag color="volcano" style={darkText}>{t('已被更正', 'Corrected')}</Tag>
              {goTo(c.eventId, t(`由 ${c.by.id} 于 ${i18n.dateTime(c.at)} 更正`, `by ${c.by.id} on ${i18n.dateTime(c.at)}`))}
              {c.reason ? `（${c.reason}）` : ''}
            </span>
          ))}
          {!e.corrects && !e.correctedBy?.length && '—'}
        </Space>
      ),
    },
  ];

  const allOk = checks ? checks.every((c) => c.ok) : null;
  const s = (state?.state ?? null) as Record<string, unknown> | null;

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>{t(`项目审计：${projectId}`, `Project audit: ${projectId}`)}</Typography.Title>
      <Space wrap>
        <Link to="/audit">{t('← 返回审计核查', '← Back to audit')}</Link>
        <Link to={`/projects/${encodeURIComponent(projectId)}`}>{t('项目页', 'Project page')}</Link>
      </Space>
      <Problem error={error} />
      {!history && !error && <Spin aria-label={t('加载中', 'Loading')} />}
      {history && (
        <>
          <Card title={t('验证与审计包', 'Verification and bundle')}>
            <Space direction="vertical" style={{ width: '100%' }}>
              <div data-testid="project-badge" role="status">
                {allOk === null && !checkError && <Tag>{t('验证中…', 'Verifying…')}</Tag>}
                {allOk === true && <Tag style={{ ...badge, background: '#237804', borderColor: '#237804' }}>✓ {t('已验证', 'Verified')}</Tag>}
                {(allOk === false || checkError != null) && <Tag style={{ ...badge, background: '#a8071a', borderColor: '#a8071a' }}>✗ {t('验证失败', 'Verification failed')}</Tag>}
                {checks && (
                  <Typography.Text>
                    {t(`${checks.length} 条流的哈希链，共 ${checks.reduce((n, c) => n + c.count, 0)} 个事件；已签署 ${checks.reduce((n, c) => n + c.sealedCount, 0)} 个`, `${checks.length} hash chains, ${checks.reduce((n, c) => n + c.count, 0)} events; ${checks.reduce((n, c) => n + c.sealedCount, 0)} sealed`)}
                  </Typography.Text>
                )}
              </div>
              <Problem error={checkError} />
              {checks?.filter((c) => !c.ok).map((c) => (
                <Alert key={c.stream} type="error" showIcon message={`${c.stream}: ${c.firstBadEvent?.problem ?? ''} r${c.firstBadEvent?.revision ?? ''} — ${c.firstBadEvent?.detail ?? ''}`} />
              ))}
              <Space wrap>
                <Button type="primary" onClick={() => void bundle(false)} loading={downloading === 'plain'}>{t('下载审计包', 'Download the bundle')}</Button>
                <Button onClick={() => void bundle(true)} loading={downloading === 'evidence'}>{t('下载审计包（含证据文件）', 'Download the bundle with evidence files')}</Button>
              </Space>
            </Space>
          </Card>

          <Card title={t('某一时刻的状态', 'State on a date')}>
            {projectEvents.length === 0 ? (
              <Typography.Text>{t('该项目没有事件。', 'The project has no events.')}</Typography.Text>
            ) : (
              <Space direction="vertical" style={{ width: '100%' }}>
                <Typography.Paragraph style={{ margin: 0 }}>
                  {t('拖动滑块（或用方向键逐个事件移动），查看项目在所选时刻的记录状态。', 'Move the slider (or step event by event with the arrow keys) to see the state as recorded at that time.')}
                </Typography.Paragraph>
                <div style={{ paddingInline: 12 }}>
                  <Slider
                    min={min}
                    max={max === min ? min + 1 : max}
                    marks={marks}
                    step={null}
                    value={asOf ?? max}
                    onChange={(v) => setAsOf(v)}
                    tooltip={{ formatter: (v) => (v === undefined ? '' : i18n.dateTime(new Date(v).toISOString())) }}
                    ariaLabelForHandle={t('状态时刻', 'State as of')}
                    ariaValueTextFormatterForHandle={(v) => i18n.dateTime(new Date(v).toISOString())}
                  />
                </div>
                <Typography.Text type="secondary">
                  {t(`首个事件 ${i18n.dateTime(new Date(min).toISOString())}，最后一个事件 ${i18n.dateTime(new Date(max).toISOString())}；共 ${markTimes.length} 个记录时刻`, `First event ${i18n.dateTime(new Date(min).toISOString())}, last ${i18n.dateTime(new Date(max).toISOString())}; ${markTimes.length} recorded instants`)}
                </Typography.Text>
                <Space wrap>
                  <label htmlFor={asOfInputId}>{t('时刻（精确到秒）', 'As of (to the second)')}</label>
                  <input
                    id={asOfInputId}
                    type="datetime-local"
                    step={1}
                    value={asOf === null ? '' : toLocalInput(asOf)}
                    onChange={(e) => {
                      const ms = fromLocalInput(e.target.value);
                      if (ms !== null) setAsOf(ms + 999);
                    }}
                    className="ant-input"
                    style={{ width: 230 }}
                  />
                </Space>
                <Problem error={stateError} />
                {state && (
                  <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} items={[
                    { key: 'asof', label: t('时刻', 'As of'), children: asOf === null ? '—' : i18n.dateTime(new Date(asOf).toISOString()) },
                    { key: 'rev', label: t('版本', 'Revision'), children: <span data-testid="state-revision">{state.revision}</span> },
                    { key: 'status', label: t('状态', 'Status'), children: <span data-testid="state-status">{s ? <StatusTag status={s.status as string} /> : t('尚不存在', 'not yet')}</span> },
                    { key: 'stage', label: t('阶段', 'Stage'), children: s ? <StageTag stage={s.stage as string} /> : '—' },
                    { key: 'last', label: t('最后一个事件', 'Last event'), children: state.lastEvent ? `${i18n.event(state.lastEvent.type)}（${state.lastEvent.type}） · ${i18n.dateTime(state.lastEvent.recordedAt)}` : '—' },
                    { key: 'lasthash', label: t('其哈希', 'Its hash'), children: <Hash value={state.lastEvent?.hash} /> },
                  ]} />
                )}
                {state && state.corrections.length > 0 && (
                  <Alert type="info" showIcon message={t(`此状态含 ${state.corrections.length} 处更正`, `${state.corrections.length} corrections folded in`)} description={state.corrections.map((c) => `${i18n.event(c.corrects.type)} ← ${i18n.event(c.event.type)}（${c.event.by.id}${c.event.reason ? `：${c.event.reason}` : ''}）: ${c.changes.map((ch) => `${ch.path} ${show(ch.original)} → ${show(ch.corrected)}`).join('；')}`).join('\n')} />
                )}
                {s && (
                  <details>
                    <summary>{t('完整状态（JSON）', 'The whole state (JSON)')}</summary>
                    <pre style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxHeight: 360, overflow: 'auto', fontSize: 12 }}>{JSON.stringify(s, null, 2)}</pre>
                  </details>
                )}
              </Space>
            )}
          </Card>

          <Card title={t('两个时刻之间的变化', 'Changes between two dates')}>
            <Space direction="vertical" style={{ width: '100%' }}>
              <Space wrap>
                <label htmlFor={fromId}>{t('从', 'From')}</label>
                <input id={fromId} type="datetime-local" step={1} className="ant-input" style={{ width: 230 }} value={range.from} onChange={(e) => setRange((r) => ({ ...r, from: e.target.value }))} />
                <label htmlFor={toId}>{t('至', 'To')}</label>
                <input id={toId} type="datetime-local" step={1} className="ant-input" style={{ width: 230 }} value={range.to} onChange={(e) => setRange((r) => ({ ...r, to: e.target.value }))} />
                <Button onClick={runDiff} loading={diffLoading}>{t('比较', 'Compare')}</Button>
              </Space>
              <Problem error={diffError} />
              {diff && (
                <>
                  <Typography.Text>
                    {t(`版本 ${diff.from.revision} → ${diff.to.revision}：${diff.changes.length} 个字段不同`, `Revision ${diff.from.revision} → ${diff.to.revision}: ${diff.changes.length} fields differ`)}
                  </Typography.Text>
                  <div ref={diffRef}>
                  <Table
                    size="small"
                    rowKey="path"
                    pagination={false}
                    scroll={{ x: 'max-content' }}
                    aria-label={t('状态差异', 'State differences')}
                    dataSource={diff.changes}
                    columns={[
                      { title: t('字段', 'Field'), dataIndex: 'path', render: (p: string) => <Typography.Text code>{p}</Typography.Text> },
                      { title: t('之前', 'Before'), dataIndex: 'before', render: (v: unknown) => <span style={{ wordBreak: 'break-all' }}>{show(v)}</span> },
                      { title: t('之后', 'After'), dataIndex: 'after', render: (v: unknown) => <span style={{ wordBreak: 'break-all' }}>{show(v)}</span> },
                      { title: t('由哪些事件改变', 'Changed by'), dataIndex: 'changedBy', render: (c: Diff['changes'][number]['changedBy']) => c.map((e) => `${i18n.event(e.type)}（${e.actorId} · ${i18n.role(e.actorRole)}）${e.corrects ? t(' 更正', ' correction') : ''}`).join('；') },
                    ]}
                  />
                  </div>
                </>
              )}
            </Space>
          </Card>

          <Card title={t('时间线', 'Timeline')}>
            <div ref={timelineRef}>
            <Table<HistoryEvent>
              size="small"
              rowKey="id"
              dataSource={history.events}
              columns={columns}
              scroll={{ x: 'max-content' }}
              pagination={{ pageSize: 50, hideOnSinglePage: true }}
              aria-label={t('事件时间线', 'Event timeline')}
              title={() => t(`共 ${history.events.length} 个事件，${history.streams.length} 条流`, `${history.events.length} events in ${history.streams.length} streams`)}
            />
            </div>
          </Card>
        </>
      )}
    </Space>
  );
}
