import { Button, Space, Table, type TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Problem, usePaged } from './bits';
import { getJson } from '../lib/api';
import { useI18n } from '../lib/i18n';

export type ProjectListRow = { projectId: string; title: string | null; status: string | null; stage: string | null; leadName: string | null; county: string | null; industry: string | null; submittedOn: string | null; approvedFunding: number | null; requestedFunding: number | null };
/** A project's state as GET /v1/projects/{id} answers (the parts the work pages read). */
export type ProjectState = {
  status: string; title: string; submittedBy: string; publicity: { startsOn: string; endsOn: string } | null; objections: Record<string, string>;
  acceptance: { appliedOn: string; appliedBy: string; result: string | null } | null;
  extension: { status: string; months: number; requestedBy: string } | null;
  changes: Record<string, { change: { kind: string } & Record<string, unknown>; requestedBy: string; status: string }>;
  leadEnterprise: { name: string; creditCode: string } | null;
  payments: Record<string, { contractId: string; enterpriseCreditCode: string; amount: number; bankReference: string; paidOn: string; reversed: boolean; paymentAssessed: boolean }>;
  r1: { disbursementId: string; amount: number } | null;
  contracts: Record<string, { transferor: { name: string; creditCode: string } | null; transferee: { name: string; creditCode: string } | null; amount: number }>;
  bureauCode: string;
};
export type Row = ProjectListRow & { state: ProjectState | null; revision: number | null };

/** A page of the reporting project list, each row with its project's current state (and revision, for If-Match). */
export function useProjectQueue(query: Record<string, string | number | boolean | undefined>, pageSize = 10) {
  const list = usePaged<ProjectListRow>('/v1/reporting/projects', query, pageSize);
  const [rows, setRows] = useState<Row[]>([]);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    Promise.all(
      list.items.map(async (p) => {
        const r = await getJson<{ revision: number; state: ProjectState }>(`/v1/projects/${encodeURIComponent(p.projectId)}`);
        return { ...p, state: r.data.state, revision: r.data.revision };
      }),
    )
      .then((r) => live && (setRows(r), setError(null)))
      .catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [list.items]);
  return { ...list, rows, error: list.error ?? error };
}

/** Ant Design's default link blue (#1677ff) is 4.1:1 on white, under WCAG AA's 4.5:1: a darker blue. */
export const linkStyle = { color: '#0050b3' } as const;

export function projectLink(id: string, title?: string | null) {
  return <Link style={linkStyle} to={`/projects/${encodeURIComponent(id)}`}>{title ? `${title}（${id}）` : id}</Link>;
}

/** A queue's table with previous / next over the server's pages. */
export function QueueTable({ queue, caption, columns, empty }: { queue: ReturnType<typeof useProjectQueue>; caption: string; columns: TableColumnsType<Row>; empty?: string }) {
  const { t } = useI18n();
  return (
    <div>
      <Problem error={queue.error} />
      <Table<Row> size="small" rowKey="projectId" columns={columns} dataSource={queue.rows} loading={queue.loading} pagination={false} scroll={{ x: 'max-content' }}
        title={() => caption} aria-label={caption} {...(empty ? { locale: { emptyText: empty } } : {})} />
      <Space style={{ marginTop: 8 }}>
        <Button size="small" disabled={queue.page === 0} onClick={queue.prev}>{t('上一页', 'Previous')}</Button>
        <span>{t(`第 ${queue.page + 1} 页`, `Page ${queue.page + 1}`)}</span>
        <Button size="small" disabled={!queue.hasNext} onClick={queue.next}>{t('下一页', 'Next')}</Button>
      </Space>
    </div>
  );
}
