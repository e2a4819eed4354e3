import { Card, Space, Table, Typography, type TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { Money, PagedTable, Problem, usePaged } from '../components/bits';
import { CommandButton } from '../components/CommandButton';
import { DisbursementStatus, disbursementLink, useFourEyes, type DisbursementRow } from '../components/disbursement-bits';
import { projectLink, QueueTable, useProjectQueue, type Row } from '../components/project-queue';
import { getJson } from '../lib/api';
import { useAuth } from '../lib/auth';
import { todayInShanghai } from '../lib/format';
import { useI18n } from '../lib/i18n';

const LEGACY_BUREAU = '331000';

type R2Due = { key: string; row: Row; paymentId: string; amount: number; paidOn: string; creditCode: string; payeeName: string };

/** Finance: payments to request (R1, R2), to approve (never one's own request) and to record, with the four-eyes rule shown before any click. */
export default function Finance() {
  const i18n = useI18n();
  const { t } = i18n;
  const me = useAuth().session?.subject ?? '';
  const rule = useFourEyes();
  const [minPosition, setMinPosition] = useState<string | undefined>(undefined);
  const r1Approved = useProjectQueue({ status: 'approved', r1Awarded: false, sort: 'submittedOn', order: 'asc', minPosition });
  const r1Running = useProjectQueue({ status: 'in_progress', r1Awarded: false, sort: 'submittedOn', order: 'asc', minPosition });
  const promotion = useProjectQueue({ stage: 'promotion', status: 'in_progress', sort: 'submittedOn', order: 'asc', minPosition }, 20);
  const toApprove = usePaged<DisbursementRow>('/v1/reporting/disbursements', { status: 'requested', sort: 'requestedOn', order: 'asc', minPosition }, 20);
  const toPay = usePaged<DisbursementRow>('/v1/reporting/disbursements', { status: 'approved', sort: 'requestedOn', order: 'asc', minPosition }, 20);
  const changed = (position?: string | null) => {
    setMinPosition(position ?? undefined);
    for (const q of [r1Approved, r1Running, promotion, toApprove, toPay]) q.reload();
  };
  const today = todayInShanghai();

  // Bank payments whose R2 entitlement is assessed and not yet claimed by a live disbursement.
  const [r2, setR2] = useState<R2Due[]>([]);
  const [r2Error, setR2Error] = useState<unknown>(null);
  useEffect(() => {
    let live = true;
    Promise.all(
      promotion.rows.map(async (row) => {
        const s = row.state;
        if (!s) return [];
        const { data } = await getJson<{ items: DisbursementRow[] }>('/v1/reporting/disbursements', { projectId: row.projectId, rule: 'R2', limit: 500, minPosition });
        const claimed = data.items.filter((d) => d.status !== 'cancelled').map((d) => d.basis ?? '');
        return Object.entries(s.payments ?? {})
          .filter(([paymentId, p]) => !p.reversed && p.paymentAssessed && !claimed.some((b) => b.endsWith(`/${row.projectId}/${paymentId}`)))
          .map(([paymentId, p]) => {
            const c = s.contracts?.[p.contractId];
            const org = [c?.transferee, c?.transferor, s.leadEnterprise].find((o) => o?.creditCode === p.enterpriseCreditCode);
            return { key: `${row.projectId}/${paymentId}`, row, paymentId, amount: p.amount, paidOn: p.paidOn, creditCode: p.enterpriseCreditCode, payeeName: org?.name ?? '' };
          });
      }),
    )
      .then((lists) => live && (setR2(lists.flat()), setR2Error(null)))
      .catch((e: unknown) => live && setR2Error(e));
    return () => {
      live = false;
    };
  }, [promotion.rows, minPosition]);

  const r1Columns: TableColumnsType<Row> = [
    { title: t('项目', 'Project'), dataIndex: 'projectId', render: (id: string, r) => projectLink(id, r.title) },
    { title: t('牵头单位', 'Lead'), dataIndex: 'leadName' },
    { title: t('批准资助', 'Approved funding'), dataIndex: 'approvedFunding', align: 'right', render: (v: number | null, r) => <Money fen={v ?? r.requestedFunding} /> },
    {
      title: t('操作', 'Actions'), key: 'actions',
      render: (_: unknown, r) => <CommandButton path="/v1/projects/{projectId}/grants/r1" params={{ projectId: r.projectId }} ifMatch={r.revision} primary initialValues={{ disbursementId: `r1-${r.projectId}` }} onChanged={changed} />,
    },
  ];
  const disbursementColumns = (action: (d: DisbursementRow) => React.ReactNode): TableColumnsType<DisbursementRow> => [
    { title: t('拨付编号', 'Disbursement'), dataIndex: 'disbursementId', render: (id: string) => disbursementLink(id) },
    { title: t('规则', 'Rule'), dataIndex: 'rule' },
    { title: t('项目', 'Project'), dataIndex: 'projectId', render: (id: string | null) => (id ? projectLink(id) : '—') },
    { title: t('收款单位', 'Payee'), dataIndex: 'payeeName' },
    { title: t('金额', 'Amount'), dataIndex: 'amount', align: 'right', render: (v: number) => <Money fen={v} /> },
    { title: t('申请人', 'Requested by'), dataIndex: 'requestedBy', render: (v: string, d) => `${v}（${i18n.date(d.requestedOn)}）` },
    { title: t('审批人', 'Approved by'), dataIndex: 'approvedBy', render: (v: string | null, d) => (v ? `${v}（${i18n.date(d.approvedOn)}）` : '—') },
    { title: t('操作', 'Actions'), key: 'actions', render: (_: unknown, d) => action(d) },
  ];
  const pagedTable = (p: typeof toApprove, caption: string, columns: TableColumnsType<DisbursementRow>) => (
    <div>
      <Problem error={p.error} />
      <Table<DisbursementRow> size="small" rowKey="disbursementId" dataSource={p.items} loading={p.loading} pagination={false} scroll={{ x: 'max-content' }} columns={columns} title={() => caption} aria-label={caption} />
    </div>
  );

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>{t('资金拨付', 'Payments')}</Typography.Title>
      <Typography.Paragraph>
        {t('四眼原则：拨付须由申请人以外的财务人员审批，银行支付须由审批人以外的财务人员登记。金额以元为单位。', 'Four-eyes rule: a payment is approved by someone other than its requester, and its bank payment recorded by someone other than its approver. Amounts in yuan.')}
      </Typography.Paragraph>
      <Card size="small" title={t('待申请：立项资助（R1）', 'To request: selection grants (R1)')}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <QueueTable queue={r1Approved} caption={t('已立项、尚未发放立项资助的项目', 'Approved projects without an R1 grant')} columns={r1Columns} />
          <QueueTable queue={r1Running} caption={t('实施中、尚未发放立项资助的项目', 'Projects in progress without an R1 grant')} columns={r1Columns} />
        </Space>
      </Card>
      <Card size="small" title={t('待申请：转化补助（R2）', 'To request: conversion subsidies (R2)')}>
        <Problem error={r2Error ?? promotion.error} />
        <Table<R2Due>
          size="small" rowKey="key" dataSource={r2} loading={promotion.loading} pagination={false} scroll={{ x: 'max-content' }}
          title={() => t('已确认到账、尚未申请补助的银行支付', 'Confirmed bank payments whose subsidy is not requested')} aria-label={t('已确认到账、尚未申请补助的银行支付', 'Confirmed bank payments whose subsidy is not requested')}
          columns={[
            { title: t('项目', 'Project'), key: 'project', render: (_: unknown, d) => projectLink(d.row.projectId, d.row.title) },
            { title: t('到账编号', 'Payment'), dataIndex: 'paymentId' },
            { title: t('到账金额', 'Paid'), dataIndex: 'amount', align: 'right', render: (v: number) => <Money fen={v} /> },
            { title: t('到账日期', 'Paid on'), dataIndex: 'paidOn', render: (v: string) => i18n.date(v) },
            { title: t('收款单位', 'Payee'), dataIndex: 'payeeName' },
            {
              title: t('操作', 'Actions'), key: 'actions',
              render: (_: unknown, d) => (
                <CommandButton path="/v1/disbursements" params={{}} primary onChanged={changed}
                  initialValues={{
                    disbursementId: `r2-${d.row.projectId}-${d.paymentId}`,
                    entitlement: { rule: 'R2', ...(d.row.state && d.row.state.bureauCode !== LEGACY_BUREAU ? { bureauCode: d.row.state.bureauCode } : {}), creditCode: d.creditCode, year: Number(d.paidOn.slice(0, 4)), projectId: d.row.projectId, paymentId: d.paymentId },
                    payee: { name: d.payeeName, creditCode: d.creditCode },
                  }} />
              ),
            },
          ]}
        />
      </Card>
      <Card size="small" title={t('待审批', 'To approve')}>
        {pagedTable(toApprove, t('待审批的拨付', 'Payments to approve'), disbursementColumns((d) => (
          <CommandButton path="/v1/disbursements/{disbursementId}/approval" params={{ disbursementId: d.disbursementId }} primary blocked={d.requestedBy === me ? rule.requester : undefined} onChanged={changed} />
        )))}
      </Card>
      <Card size="small" title={t('待登记支付', 'To record as paid')}>
        {pagedTable(toPay, t('已审批、待登记银行支付的拨付', 'Approved payments to record'), disbursementColumns((d) => (
          <CommandButton path="/v1/disbursements/{disbursementId}/payment" params={{ disbursementId: d.disbursementId }} primary initialValues={{ paidOn: today }} blocked={d.approvedBy === me ? rule.approver : undefined} onChanged={changed} />
        )))}
      </Card>
      <Card size="small" title={t('全部拨付', 'All payments')}>
        <PagedTable<DisbursementRow> path="/v1/reporting/disbursements" query={{ sort: 'requestedOn', order: 'desc', ...(minPosition ? { minPosition } : {}) }} rowKey="disbursementId" caption={t('拨付台账', 'Disbursement ledger')} pageSize={20}
          columns={[
            { title: t('拨付编号', 'Disbursement'), dataIndex: 'disbursementId', render: (id: string) => disbursementLink(id) },
            { title: t('规则', 'Rule'), dataIndex: 'rule' },
            { title: t('金额', 'Amount'), dataIndex: 'amount', align: 'right', render: (v: number) => <Money fen={v} /> },
            { title: t('状态', 'Status'), dataIndex: 'status', render: (s: string) => <DisbursementStatus status={s} /> },
            { title: t('申请日期', 'Requested on'), dataIndex: 'requestedOn', render: (v: string) => i18n.date(v) },
            { title: t('支付日期', 'Paid on'), dataIndex: 'paidOn', render: (v: string | null) => i18n.date(v) },
          ]} />
      </Card>
    </Space>
  );
}
