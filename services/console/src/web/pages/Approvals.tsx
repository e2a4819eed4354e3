import { Card, Space, Typography } from 'antd';
import { Mark } from '../components/disbursement-bits';
import { useState } from 'react';
import { CommandButton } from '../components/CommandButton';
import { projectLink, QueueTable, useProjectQueue, type Row } from '../components/project-queue';
import { useAuth } from '../lib/auth';
import { todayInShanghai } from '../lib/format';
import { useI18n } from '../lib/i18n';

/** What waits for the approver: selections whose publicity is over, acceptance conclusions, changes and extensions — never their own request. */
export default function Approvals() {
  const i18n = useI18n();
  const { t } = i18n;
  const me = useAuth().session?.subject ?? '';
  // After a decision: read the lists once the projections have applied it.
  const [minPosition, setMinPosition] = useState<string | undefined>(undefined);
  const selection = useProjectQueue({ status: 'in_publicity', sort: 'submittedOn', order: 'asc', minPosition });
  const acceptance = useProjectQueue({ status: 'acceptance_applied', sort: 'submittedOn', order: 'asc', minPosition });
  const running = useProjectQueue({ status: 'in_progress', sort: 'submittedOn', order: 'asc', minPosition }, 50);
  const changed = (position?: string | null) => {
    setMinPosition(position ?? undefined);
    selection.reload();
    acceptance.reload();
    running.reload();
  };
  const fourEyes = (who: string) => t(`四眼原则：此申请由您（${who}）提出，须由另一位审批人决定`, `Four-eyes rule: you (${who}) made this request; another approver must decide it`);
  const today = todayInShanghai();
  const project = { title: t('项目', 'Project'), dataIndex: 'projectId', render: (id: string, r: Row) => projectLink(id, r.title) };
  const lead = { title: t('牵头单位', 'Lead'), dataIndex: 'leadName' };

  const selectionActions = (r: Row) => {
    const s = r.state;
    if (!s) return null;
    const endsOn = s.publicity?.endsOn ?? null;
    const open = Object.entries(s.objections ?? {}).filter(([, v]) => v === 'open').map(([k]) => k);
    const params = { projectId: r.projectId };
    const blocked = s.submittedBy === me ? fourEyes(me) : undefined;
    return (
      <Space wrap>
        {endsOn && endsOn >= today ? (
          <Mark shade="purple">{t(`公示期至 ${i18n.date(endsOn)}，期满次日起可批准`, `Publicity until ${i18n.date(endsOn)}; approval from the next day`)}</Mark>
        ) : open.length > 0 ? (
          <Mark shade="gold">{t(`有未处理的异议：${open.join('、')}`, `Unresolved objections: ${open.join(', ')}`)}</Mark>
        ) : (
          <CommandButton path="/v1/projects/{projectId}/approval" params={params} ifMatch={r.revision} primary blocked={blocked} onChanged={changed} />
        )}
        {!blocked && <CommandButton path="/v1/projects/{projectId}/rejection" params={params} ifMatch={r.revision} onChanged={changed} />}
      </Space>
    );
  };

  const pendingRows = running.rows.filter((r) => r.state && (r.state.extension?.status === 'pending' || Object.values(r.state.changes ?? {}).some((c) => c.status === 'pending')));
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>{t('待我审批', 'Awaiting my approval')}</Typography.Title>
      <Typography.Paragraph>
        {t('四眼原则：任何申请都须由申请人以外的人审批。您本人提出的申请不在此处提供审批按钮。', 'Four-eyes rule: a request is decided by someone other than whoever made it. Your own requests show no decision button here.')}
      </Typography.Paragraph>
      <Card size="small" title={t('立项审批：公示期满的申报', 'Selection: proposals whose publicity is over')}>
        <QueueTable queue={selection} caption={t('公示中的申报', 'Proposals in publicity')} columns={[
          project, lead,
          { title: t('公示期', 'Publicity'), key: 'publicity', render: (_: unknown, r: Row) => (r.state?.publicity ? `${i18n.date(r.state.publicity.startsOn)} – ${i18n.date(r.state.publicity.endsOn)}` : '—') },
          { title: t('提交人', 'Submitted by'), key: 'by', render: (_: unknown, r: Row) => r.state?.submittedBy },
          { title: t('操作', 'Actions'), key: 'actions', render: (_: unknown, r: Row) => selectionActions(r) },
        ]} />
      </Card>
      <Card size="small" title={t('验收结论', 'Acceptance conclusions')}>
        <QueueTable queue={acceptance} caption={t('已申请验收的项目', 'Projects that applied for acceptance')} columns={[
          project, lead,
          { title: t('申请日期', 'Applied on'), key: 'applied', render: (_: unknown, r: Row) => i18n.date(r.state?.acceptance?.appliedOn) },
          { title: t('申请人', 'Applied by'), key: 'by', render: (_: unknown, r: Row) => r.state?.acceptance?.appliedBy },
          {
            title: t('操作', 'Actions'), key: 'actions',
            render: (_: unknown, r: Row) => (
              <CommandButton path="/v1/projects/{projectId}/acceptance-conclusion" params={{ projectId: r.projectId }} ifMatch={r.revision} primary
                initialValues={{ concludedOn: today }} blocked={r.state?.acceptance?.appliedBy === me ? fourEyes(me) : undefined} onChanged={changed} />
            ),
          },
        ]} />
      </Card>
      <Card size="small" title={t('变更与延期申请', 'Changes and extensions')}>
        <QueueTable queue={{ ...running, rows: pendingRows }} caption={t('待审批的变更与延期', 'Changes and extensions to decide')} empty={t('本页实施中的项目没有待审批的变更或延期', 'No pending change or extension among the projects on this page')} columns={[
          project,
          {
            title: t('待审批事项', 'To decide'), key: 'pending',
            render: (_: unknown, r: Row) => (
              <Space direction="vertical">
                {r.state?.extension?.status === 'pending' && (
                  <Space wrap>
                    <span>{t(`延期 ${r.state.extension.months} 个月（${r.state.extension.requestedBy} 申请）`, `Extension of ${r.state.extension.months} months (requested by ${r.state.extension.requestedBy})`)}</span>
                    <CommandButton path="/v1/projects/{projectId}/extension/decision" params={{ projectId: r.projectId }} ifMatch={r.revision} primary
                      blocked={r.state.extension.requestedBy === me ? fourEyes(me) : undefined} onChanged={changed} />
                  </Space>
                )}
                {Object.entries(r.state?.changes ?? {}).filter(([, c]) => c.status === 'pending').map(([changeId, c]) => (
                  <Space wrap key={changeId}>
                    <span>{t(`变更 ${changeId}（${i18n.field(c.change.kind)}，${c.requestedBy} 申请）`, `Change ${changeId} (${i18n.field(c.change.kind)}, requested by ${c.requestedBy})`)}</span>
                    <CommandButton path="/v1/projects/{projectId}/changes/{changeId}/decision" params={{ projectId: r.projectId, changeId }} ifMatch={r.revision} primary
                      blocked={c.requestedBy === me ? fourEyes(me) : undefined} onChanged={changed} />
                  </Space>
                ))}
              </Space>
            ),
          },
        ]} />
      </Card>
    </Space>
  );
}
