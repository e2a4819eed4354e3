import { Alert, Button, Col, Drawer, Progress, Row, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { CommandForm, commandsFor, findCommand } from '../components/CommandForm';
import { PagedTable } from '../components/bits';
import { useAuth } from '../lib/auth';
import { todayInShanghai } from '../lib/format';
import { useI18n } from '../lib/i18n';

type ProgrammeRow = {
  programmeId: string;
  name: string | null;
  bureau: string | null;
  quota: number | null;
  slotsTaken: number | null;
  quotaRemaining: number | null;
  focusIndustries: unknown;
  launchedOn: string | null;
  opensOn: string | null;
  closesOn: string | null;
  closedOn: string | null;
  projectsSubmitted: number | null;
  projectsApproved: number | null;
  projectsActive: number | null;
  projectsClosed: number | null;
};

const LAUNCH = '/v1/programmes';
const PER_PROGRAMME = [
  '/v1/programmes/{programmeId}/solicitation/opening',
  '/v1/programmes/{programmeId}/solicitation/closing',
  '/v1/programmes/{programmeId}/focus-industries',
  '/v1/programmes/{programmeId}/proposals',
];

interface OpenForm {
  path: string;
  params: Record<string, string>;
  initialValues?: Record<string, unknown>;
  title: string;
}

/** The programmes with their quota used; officers launch them, open and close their solicitation, and submit proposals. */
export default function Programmes() {
  const i18n = useI18n();
  const { t } = i18n;
  const { session } = useAuth();
  const roles = session?.roles ?? [];
  const [form, setForm] = useState<OpenForm | null>(null);
  const [done, setDone] = useState<{ text: string; projectId?: string } | null>(null);
  const [position, setPosition] = useState<string | null>(null);
  const mayLaunch = commandsFor(LAUNCH, roles).some((c) => c.path === LAUNCH);
  const perProgramme = PER_PROGRAMME.filter((p) => findCommand(p).roles.some((r) => roles.includes(r)));
  const today = todayInShanghai();

  const initialFor = (path: string, r: ProgrammeRow): Record<string, unknown> | undefined => {
    if (path.endsWith('/solicitation/opening')) return { opensOn: today };
    if (path.endsWith('/solicitation/closing')) return { closedOn: today };
    if (path.endsWith('/focus-industries')) return Array.isArray(r.focusIndustries) ? { focusIndustries: (r.focusIndustries as string[]).join('\n') } : undefined;
    return undefined;
  };
  const applies = (path: string, r: ProgrammeRow) => {
    if (path.endsWith('/solicitation/opening')) return !r.opensOn;
    if (path.endsWith('/solicitation/closing')) return !!r.opensOn && !r.closedOn;
    if (path.endsWith('/proposals')) return !!r.opensOn && !r.closedOn;
    return true;
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%', minWidth: 0 }}>
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>{t('计划与名额', 'Programmes and quota')}</Typography.Title>
      {mayLaunch && (
        <Space wrap>
          <Button type="primary" onClick={() => { setDone(null); setForm({ path: LAUNCH, params: {}, title: i18n.command(LAUNCH) }); }}>
            {i18n.command(LAUNCH)}
          </Button>
        </Space>
      )}
      {done && (
        <Alert
          type="success"
          showIcon
          role="status"
          closable
          onClose={() => setDone(null)}
          message={done.text}
          {...(done.projectId ? { description: <Link to={`/projects/${encodeURIComponent(done.projectId)}`}>{t(`打开项目 ${done.projectId}`, `Open project ${done.projectId}`)}</Link> } : {})}
        />
      )}
      {!roles.some((r) => ['officer', 'auditor', 'reporter'].includes(r)) ? (
        <Alert type="info" showIcon message={t('计划名额统计向项目专员、审计和统计报表角色开放；请在“项目查询”中查看项目。', 'Programme quota is shown to officers, auditors and reporting; see the projects under Projects.')} />
      ) : (
      <PagedTable<ProgrammeRow>
        path="/v1/reporting/programmes"
        query={{ sort: 'launchedOn', order: 'desc', ...(position ? { minPosition: position } : {}) }}
        rowKey="programmeId"
        caption={t('计划及立项名额使用情况', 'Programmes and their quota used')}
        columns={[
          { title: t('计划', 'Programme'), dataIndex: 'name', render: (n: string | null, r) => <span style={{ whiteSpace: 'nowrap' }}>{n ?? ''}<br /><Typography.Text type="secondary">{r.programmeId}</Typography.Text></span> },
          { title: t('科技局', 'Bureau'), dataIndex: 'bureau' },
          { title: t('发布日期', 'Launched'), dataIndex: 'launchedOn', render: (d: string | null) => i18n.date(d) },
          {
            title: t('征集期', 'Solicitation'),
            dataIndex: 'opensOn',
            render: (_: unknown, r) => (r.opensOn ? <span style={{ whiteSpace: 'nowrap' }}>{`${i18n.date(r.opensOn)} – ${i18n.date(r.closedOn ?? r.closesOn)}`}{r.closedOn ? <Tag style={{ marginLeft: 4 }}>{t('已结束', 'Closed')}</Tag> : <Tag color="green" style={{ marginLeft: 4 }}>{t('征集中', 'Open')}</Tag>}</span> : t('未开始', 'Not opened')),
          },
          { title: t('重点产业', 'Focus industries'), dataIndex: 'focusIndustries', render: (v: unknown) => (Array.isArray(v) && v.length ? v.join('、') : '—') },
          {
            title: t('名额使用', 'Quota used'),
            dataIndex: 'slotsTaken',
            render: (_: unknown, r) => (
              <Row gutter={8} style={{ minWidth: 160 }} wrap={false}>
                <Col flex="auto">
                  <Progress percent={r.quota ? Math.round(((r.slotsTaken ?? 0) / r.quota) * 100) : 0} size="small" showInfo={false} aria-label={t(`${r.programmeId} 名额使用`, `${r.programmeId} quota used`)} />
                </Col>
                <Col>{`${r.slotsTaken ?? 0} / ${r.quota ?? 0}`}</Col>
              </Row>
            ),
          },
          { title: t('申报 / 立项 / 实施 / 结项', 'Submitted / approved / active / closed'), key: 'counts', render: (_: unknown, r) => `${r.projectsSubmitted ?? 0} / ${r.projectsApproved ?? 0} / ${r.projectsActive ?? 0} / ${r.projectsClosed ?? 0}` },
          {
            title: t('操作', 'Actions'),
            key: 'actions',
            render: (_: unknown, r) => (
              <Space size={4} wrap style={{ minWidth: 200 }}>
                <Link to={`/projects?programmeId=${encodeURIComponent(r.programmeId)}`}>{t('查看项目', 'Projects')}</Link>
                {perProgramme
                  .filter((p) => applies(p, r))
                  .map((p) => {
                    const init = initialFor(p, r);
                    return (
                      <Button
                        key={p}
                        size="small"
                        onClick={() => {
                          setDone(null);
                          setForm({ path: p, params: { programmeId: r.programmeId }, title: `${i18n.command(p)} · ${r.name ?? r.programmeId}`, ...(init ? { initialValues: init } : {}) });
                        }}
                      >
                        {i18n.command(p)}
                      </Button>
                    );
                  })}
              </Space>
            ),
          },
        ]}
      />
      )}
      <Drawer open={form !== null} onClose={() => setForm(null)} title={form?.title ?? ''} size={'min(720px, 100vw)' as never} destroyOnHidden>
        {form && (
          <CommandForm
            key={`${form.path}|${JSON.stringify(form.params)}`}
            bare
            path={form.path}
            params={form.params}
            {...(form.initialValues ? { initialValues: form.initialValues } : {})}
            onDone={(result, body) => {
              const label = i18n.command(form.path);
              const projectId = form.path.endsWith('/proposals') ? (result.resourceId ?? ((body as { projectId?: string }).projectId)) : undefined;
              setForm(null);
              setDone({ text: t(`已完成：${label}`, `Done: ${label}`), ...(projectId ? { projectId } : {}) });
              if (result.position) setPosition(result.position);
            }}
          />
        )}
      </Drawer>
    </Space>
  );
}
