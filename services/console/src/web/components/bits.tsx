import { Alert, Button, Space, Table, Tag, Tooltip, type TableColumnsType } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { getJson } from '../lib/api';
import { formatWan, formatYuan, type Fen } from '../lib/format';
import { useI18n } from '../lib/i18n';

/** An amount of fen shown in yuan ("¥1,234,567.89"), with 万元 on hover. */
export function Money({ fen, wan }: { fen: Fen | null | undefined; wan?: boolean }) {
  if (fen === null || fen === undefined) return <span>—</span>;
  return wan ? <span>{formatWan(fen)}</span> : <Tooltip title={formatWan(fen)}><span style={{ fontVariantNumeric: 'tabular-nums' }}>{formatYuan(fen)}</span></Tooltip>;
}

const statusColors: Record<string, string> = {
  submitted: 'blue', in_expert_review: 'geekblue', in_publicity: 'purple', approved: 'cyan', in_progress: 'processing', acceptance_applied: 'gold', acceptance_concluded: 'lime', closed: 'default',
  rejected: 'red', terminated: 'red', withdrawn: 'default', requested: 'gold', paid: 'green', cancelled: 'default', reversed: 'volcano', pending: 'blue', reported: 'gold', accepted: 'green', returned: 'volcano', open: 'orange', completed: 'green',
};

// A coloured tag's own text colour (green-7 on green-1, blue-6 on blue-1…) is below WCAG AA contrast: the text stays dark, the colour is the tag's.
const tagText = { color: 'rgba(0, 0, 0, 0.88)' };

export function StatusTag({ status }: { status: string | null | undefined }) {
  const i18n = useI18n();
  if (!status) return <span>—</span>;
  return <Tag color={statusColors[status] ?? 'default'} style={tagText}>{i18n.status(status)}</Tag>;
}

export function StageTag({ stage }: { stage: string | null | undefined }) {
  const i18n = useI18n();
  if (!stage) return <span>—</span>;
  return <Tag color={stage === 'promotion' ? 'green' : stage === 'advancement' ? 'blue' : 'default'} style={tagText}>{i18n.stage(stage)}</Tag>;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Pages of a reporting list, fetched from the server a page at a time (its cursor), never all at once. */
export function usePaged<T>(path: string, query: Record<string, string | number | boolean | undefined>, pageSize = 20) {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState(0);
  const [data, setData] = useState<Page<T> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const q = JSON.stringify(query);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    setCursors([null]);
    setPage(0);
  }, [path, q]);
  useEffect(() => {
    let live = true;
    setLoading(true);
    getJson<Page<T>>(path, { ...(JSON.parse(q) as Record<string, string>), limit: pageSize, cursor: cursors[page] ?? undefined })
      .then((r) => {
        if (!live) return;
        setData(r.data);
        setError(null);
        setCursors((c) => {
          const next = [...c];
          next[page + 1] = r.data.nextCursor;
          return next;
        });
      })
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [path, q, page, pageSize, tick]);
  const reload = useCallback(() => setTick((x) => x + 1), []);
  return { items: data?.items ?? [], loading, error, page, hasNext: !!cursors[page + 1], next: () => setPage((p) => p + 1), prev: () => setPage((p) => Math.max(0, p - 1)), reload };
}

/** A table over a server-paged list with previous / next. */
export function PagedTable<T extends object>({ path, query, columns, rowKey, caption, pageSize }: { path: string; query: Record<string, string | number | boolean | undefined>; columns: TableColumnsType<T>; rowKey: keyof T & string; caption: string; pageSize?: number }) {
  const { t, problem } = useI18n();
  const p = usePaged<T>(path, query, pageSize);
  return (
    <div>
      {p.error != null && <Alert type="error" showIcon message={problem(p.error)} role="alert" />}
      <Table<T> size="small" rowKey={rowKey} columns={columns} dataSource={p.items} loading={p.loading} pagination={false} scroll={{ x: 'max-content' }} title={() => caption} aria-label={caption} locale={{ emptyText: <span style={{ color: 'rgba(0,0,0,0.65)' }}>{t('暂无', 'None')}</span> }} />
      {(p.page > 0 || p.hasNext) && (
        <Space style={{ marginTop: 8 }}>
          <Button size="small" disabled={p.page === 0} onClick={p.prev}>{t('上一页', 'Previous')}</Button>
          <span>{t(`第 ${p.page + 1} 页`, `Page ${p.page + 1}`)}</span>
          <Button size="small" disabled={!p.hasNext} onClick={p.next}>{t('下一页', 'Next')}</Button>
        </Space>
      )}
    </div>
  );
}

/** A problem shown in Chinese first, as a sentence. */
export function Problem({ error }: { error: unknown }) {
  const { problem } = useI18n();
  if (error == null) return null;
  return <Alert type="error" showIcon message={problem(error)} role="alert" />;
}
