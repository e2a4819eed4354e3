import { Alert, Button, Card, Descriptions, Radio, Space, Table, Typography } from 'antd';
import { Mark } from '../components/disbursement-bits';
import { useCallback, useEffect, useState } from 'react';
import { Money, Problem, usePaged } from '../components/bits';
import { CommandForm } from '../components/CommandForm';
import { getJson } from '../lib/api';
import { useI18n } from '../lib/i18n';

type Assignment = {
  assignmentKey: string; projectId: string; reviewerId: string; assignedOn: string | null; status: 'assigned' | 'scored' | 'conflict'; score: number | null; scoredOn: string | null;
  conflictDeclaredOn: string | null; projectTitle: string | null; leadName: string | null; industry: string | null; county: string | null; requestedFunding: number | string | null; projectStatus: string | null;
};

/** The expert's own assignments (GET /v1/reporting/reviews): declare a conflict of interest, or declare none and score. */
export default function Reviews() {
  const i18n = useI18n();
  const { t } = i18n;
  // After a declaration or a score: read the list once the projections have applied it.
  const [minPosition, setMinPosition] = useState<string | undefined>(undefined);
  const list = usePaged<Assignment>('/v1/reporting/reviews', { sort: 'assignedOn', order: 'asc', minPosition }, 20);
  const [open, setOpen] = useState<Assignment | null>(null);
  const todo = (a: Assignment) => a.status === 'assigned' && a.projectStatus === 'in_expert_review';
  const whatToDo = (a: Assignment) => {
    if (a.status === 'scored') return <Mark shade="green">{t(`已评分：${a.score ?? ''} 分（${i18n.date(a.scoredOn)}）`, `Scored ${a.score ?? ''} (${i18n.date(a.scoredOn)})`)}</Mark>;
    if (a.status === 'conflict') return <Mark shade="grey">{t('已声明利益冲突，不参与评分', 'Conflict declared: not scoring')}</Mark>;
    if (!todo(a)) return <Mark shade="grey">{t('评审已结束，未评分', 'Review over, not scored')}</Mark>;
    return (
      <Space wrap>
        <Mark shade="gold">{t('待声明利益冲突并评分', 'Declare any conflict, then score')}</Mark>
        <Button size="small" type="primary" onClick={() => setOpen(a)} aria-label={t(`开始评审：${a.projectTitle ?? a.projectId}`, `Review: ${a.projectTitle ?? a.projectId}`)}>
          {t('开始评审', 'Review')}
        </Button>
      </Space>
    );
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>{t('我的评审', 'My reviews')}</Typography.Title>
      <Typography.Paragraph>
        {t('以下是指派给您的申报项目。评分前须先声明与申报单位是否存在利益冲突；您只能看到自己的评分。', 'The proposals assigned to you. Before scoring, declare whether you have a conflict of interest with the applicant; you see only your own scores.')}
      </Typography.Paragraph>
      <Problem error={list.error} />
      <Table<Assignment>
        size="small"
        rowKey="assignmentKey"
        dataSource={list.items}
        loading={list.loading}
        pagination={false}
        scroll={{ x: 'max-content' }}
        aria-label={t('指派给我的申报项目', 'Proposals assigned to me')}
        title={() => t('指派给我的申报项目', 'Proposals assigned to me')}
        columns={[
          { title: t('项目名称', 'Title'), dataIndex: 'projectTitle', render: (v: string | null, a) => `${v ?? ''}（${a.projectId}）` },
          { title: t('牵头单位', 'Lead'), dataIndex: 'leadName' },
          { title: t('产业', 'Industry'), dataIndex: 'industry' },
          { title: t('申请资助', 'Requested'), dataIndex: 'requestedFunding', align: 'right', render: (v: number | null) => <Money fen={v} /> },
          { title: t('指派日期', 'Assigned'), dataIndex: 'assignedOn', render: (d: string | null) => i18n.date(d) },
          { title: t('我需要做的', 'What I must do'), key: 'todo', render: (_: unknown, a) => whatToDo(a) },
        ]}
      />
      <Space>
        <Button size="small" disabled={list.page === 0} onClick={list.prev}>{t('上一页', 'Previous')}</Button>
        <span>{t(`第 ${list.page + 1} 页`, `Page ${list.page + 1}`)}</span>
        <Button size="small" disabled={!list.hasNext} onClick={list.next}>{t('下一页', 'Next')}</Button>
      </Space>
      {open && todo(open) && (
        <ReviewPanel
          key={open.assignmentKey}
          assignment={open}
          onDone={(position) => {
            setOpen(null);
            setMinPosition(position ?? undefined);
            list.reload();
          }}
        />
      )}
    </Space>
  );
}

/** The declaration first; only "no conflict" opens the score form. */
function ReviewPanel({ assignment: a, onDone }: { assignment: Assignment; onDone(position: string | null): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const [conflict, setConflict] = useState<'yes' | 'no' | null>(null);
  const [revision, setRevision] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    () =>
      getJson<{ revision: number }>(`/v1/projects/${encodeURIComponent(a.projectId)}`)
        .then((r) => setRevision(r.data.revision))
        .catch(setError),
    [a.projectId],
  );
  useEffect(() => {
    void load();
  }, [load]);
  const question = t('与申报单位是否存在利益冲突？', 'Do you have a conflict of interest with the applicant?');
  return (
    <Card size="small" title={t(`评审：${a.projectTitle ?? a.projectId}`, `Review: ${a.projectTitle ?? a.projectId}`)}>
      <Descriptions size="small" column={{ xs: 1, sm: 2 }} items={[
        { key: 'lead', label: t('牵头单位', 'Lead'), children: a.leadName },
        { key: 'industry', label: t('产业', 'Industry'), children: a.industry },
        { key: 'county', label: t('县（市、区）', 'County'), children: a.county },
        { key: 'money', label: t('申请资助', 'Requested'), children: <Money fen={a.requestedFunding} /> },
      ]} />
      <Problem error={error} />
      <fieldset style={{ border: 0, padding: 0, margin: '12px 0' }}>
        <legend style={{ fontSize: 14, fontWeight: 600 }}>{question}</legend>
        <Radio.Group value={conflict} onChange={(e) => setConflict(e.target.value as 'yes' | 'no')} aria-label={question}
          options={[{ label: t('存在', 'Yes'), value: 'yes' }, { label: t('不存在', 'No'), value: 'no' }]} />
      </fieldset>
      {conflict === null && <Alert type="info" showIcon message={t('请先回答利益冲突问题，然后才能评分。', 'Answer the conflict question first; then you can score.')} />}
      {conflict === 'yes' && (
        <CommandForm path="/v1/projects/{projectId}/conflicts" params={{ projectId: a.projectId }} ifMatch={revision} onDone={(r) => onDone(r.position)} onStale={() => void load()}
          notice={<Alert type="warning" showIcon style={{ marginBottom: 12 }} message={t('声明利益冲突后，您将不能为此项目评分。', 'Once you declare a conflict, you cannot score this proposal.')} />} />
      )}
      {conflict === 'no' && <CommandForm path="/v1/projects/{projectId}/scores" params={{ projectId: a.projectId }} ifMatch={revision} onDone={(r) => onDone(r.position)} onStale={() => void load()} />}
    </Card>
  );
}
