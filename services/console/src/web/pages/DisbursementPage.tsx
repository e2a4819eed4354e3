import { Alert, Button, Card, Descriptions, List, Space, Spin, Timeline, Typography } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router-dom';
import { Money, Problem } from '../components/bits';
import { CommandButton } from '../components/CommandButton';
import { DisbursementStatus, useFourEyes, type DisbursementRow } from '../components/disbursement-bits';
import { projectLink } from '../components/project-queue';
import { command, download, getJson, newIdempotencyKey } from '../lib/api';
import { useAuth } from '../lib/auth';
import { todayInShanghai } from '../lib/format';
import { useI18n } from '../lib/i18n';

type Evidence = { sha256: string; name: string; size: number; mediaType: string; by: string; at: string };
type State = {
  status: string; disbursementId: string; rule: string | null; entitlement: Record<string, unknown> | null; amount: number; requestedBy: string; approvedBy: string;
  bankReference: string | null; clawedBack: number; clawbackIds: string[]; evidence: Record<string, Evidence>;
  corrections: Record<string, { correction: { kind: string } & Record<string, unknown>; reason: string; requestedBy: string; status: string }>;
};

/** One disbursement: its state, its trail (requested, approved, paid), its vouchers and what the caller may do next. */
export default function DisbursementPage() {
  const { disbursementId = '' } = useParams();
  const i18n = useI18n();
  const { t } = i18n;
  const me = useAuth().session?.subject ?? '';
  const rule = useFourEyes();
  const [data, setData] = useState<{ state: State; revision: number; row: DisbursementRow | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(
    async (minPosition?: string | null) => {
      try {
        const [s, r] = await Promise.all([
          getJson<{ state: State; revision: number }>(`/v1/disbursements/${encodeURIComponent(disbursementId)}`),
          getJson<{ items: DisbursementRow[] }>('/v1/reporting/disbursements', { disbursementId, minPosition }),
        ]);
        setData({ state: s.data.state, revision: s.data.revision, row: r.data.items[0] ?? null });
        setError(null);
      } catch (err) {
        setError(err);
      }
    },
    [disbursementId],
  );
  useEffect(() => {
    void load();
  }, [load]);
  const changed = (position?: string | null) => void load(position);

  if (error && !data) return <><Typography.Title level={2} style={{ fontSize: 20 }}>{t(`拨付 ${disbursementId}`, `Disbursement ${disbursementId}`)}</Typography.Title><Problem error={error} /></>;
  if (!data) return <Spin aria-label={t('加载中', 'Loading')} />;
  const { state: s, row, revision } = data;
  const params = { disbursementId };
  const today = todayInShanghai();
  const pendingCorrections = Object.entries(s.corrections ?? {}).filter(([, c]) => c.status === 'pending');
  const history = [
    { color: 'blue', children: t(`申请：${s.requestedBy}（${i18n.date(row?.requestedOn)}）`, `Requested by ${s.requestedBy} (${i18n.date(row?.requestedOn)})`) },
    ...(s.approvedBy ? [{ color: 'blue', children: t(`审批：${s.approvedBy}（${i18n.date(row?.approvedOn)}）`, `Approved by ${s.approvedBy} (${i18n.date(row?.approvedOn)})`) }] : []),
    ...(row?.paidOn ? [{ color: 'green', children: t(`支付：${row.recordedBy ?? ''} 登记，${i18n.date(row.paidOn)}，银行流水号 ${s.bankReference ?? ''}`, `Paid: recorded by ${row.recordedBy ?? ''}, ${i18n.date(row.paidOn)}, bank reference ${s.bankReference ?? ''}`) }] : []),
    ...(row?.cancelledOn ? [{ color: 'gray', children: t(`取消（${i18n.date(row.cancelledOn)}）`, `Cancelled (${i18n.date(row.cancelledOn)})`) }] : []),
    ...(row?.reversedOn ? [{ color: 'red', children: t(`银行退回（${i18n.date(row.reversedOn)}）`, `Returned by the bank (${i18n.date(row.reversedOn)})`) }] : []),
    ...(s.clawedBack > 0 ? [{ color: 'red', children: <span>{t('已追回', 'Clawed back')} <Money fen={s.clawedBack} /></span> }] : []),
  ];
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>{t(`拨付 ${disbursementId}`, `Disbursement ${disbursementId}`)}</Typography.Title>
      <Problem error={error} />
      <Card size="small" title={t('概况', 'Summary')}>
        <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }} items={[
          { key: 'status', label: t('状态', 'Status'), children: <span data-testid="disbursement-status"><DisbursementStatus status={s.status} /></span> },
          { key: 'rule', label: t('规则', 'Rule'), children: s.rule ?? '—' },
          { key: 'amount', label: t('金额', 'Amount'), children: <Money fen={s.amount} /> },
          { key: 'payee', label: t('收款单位', 'Payee'), children: row ? `${row.payeeName ?? ''}（${row.payeeCreditCode ?? ''}）` : '—' },
          { key: 'project', label: t('项目', 'Project'), children: row?.projectId ? projectLink(row.projectId) : '—' },
          { key: 'basis', label: t('拨付依据', 'Entitlement'), children: <span style={{ wordBreak: 'break-all' }}>{row?.basis ?? '—'}</span> },
          { key: 'requestedBy', label: t('申请人', 'Requested by'), children: s.requestedBy || '—' },
          { key: 'approvedBy', label: t('审批人', 'Approved by'), children: s.approvedBy || '—' },
          { key: 'bank', label: t('银行流水号', 'Bank reference'), children: s.bankReference ?? '—' },
        ]} />
      </Card>
      <Card size="small" title={t('办理记录', 'History')}>
        <Timeline items={history} />
      </Card>
      <Card size="small" title={t('可办理的操作', 'What you can do')}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text>{t('四眼原则：申请人不能审批，审批人不能登记支付；更正须由申请人以外的人批准。', 'Four-eyes rule: the requester cannot approve, the approver cannot record the payment; a correction is approved by someone other than its requester.')}</Typography.Text>
          <Space wrap>
            {s.status === 'requested' && <CommandButton path="/v1/disbursements/{disbursementId}/approval" params={params} ifMatch={revision} primary blocked={s.requestedBy === me ? rule.requester : undefined} onChanged={changed} />}
            {s.status === 'approved' && <CommandButton path="/v1/disbursements/{disbursementId}/payment" params={params} ifMatch={revision} primary initialValues={{ paidOn: today }} blocked={s.approvedBy === me ? rule.approver : undefined} onChanged={changed} />}
            {(s.status === 'requested' || s.status === 'approved') && <CommandButton path="/v1/disbursements/{disbursementId}/cancellation" params={params} ifMatch={revision} onChanged={changed} />}
            {s.status === 'paid' && (
              <>
                <CommandButton path="/v1/disbursements/{disbursementId}/reversal" params={params} ifMatch={revision} initialValues={{ reversedOn: today }} onChanged={changed} />
                <CommandButton path="/v1/disbursements/{disbursementId}/clawbacks" params={params} ifMatch={revision} initialValues={{ decidedOn: today }} onChanged={changed} />
                <CommandButton path="/v1/disbursements/{disbursementId}/corrections" params={params} ifMatch={revision} onChanged={changed} />
              </>
            )}
          </Space>
          {pendingCorrections.map(([correctionId, c]) => (
            <Space wrap key={correctionId}>
              <span>{t(`更正 ${correctionId}（${c.correction.kind}，${c.requestedBy} 申请）：${c.reason}`, `Correction ${correctionId} (${c.correction.kind}, requested by ${c.requestedBy}): ${c.reason}`)}</span>
              <CommandButton path="/v1/disbursements/{disbursementId}/corrections/{correctionId}/approval" params={{ disbursementId, correctionId }} ifMatch={revision} primary blocked={c.requestedBy === me ? rule.corrector : undefined} onChanged={changed} />
              <CommandButton path="/v1/disbursements/{disbursementId}/corrections/{correctionId}/rejection" params={{ disbursementId, correctionId }} ifMatch={revision} onChanged={changed} />
            </Space>
          ))}
        </Space>
      </Card>
      <Card size="small" title={t('拨付凭证', 'Vouchers')}>
        <List
          size="small"
          dataSource={Object.entries(s.evidence ?? {})}
          locale={{ emptyText: t('暂无凭证', 'No vouchers yet') }}
          renderItem={([evidenceId, e]) => (
            <List.Item>
              <Button type="link" style={{ color: '#0050b3' }} onClick={() => void download(`/v1/disbursements/${encodeURIComponent(disbursementId)}/evidence/${encodeURIComponent(evidenceId)}`, e.name)}>{e.name}</Button>
              <span>{t(`${e.by} 上传于 ${i18n.dateTime(e.at)}，${e.size} 字节`, `uploaded by ${e.by} at ${i18n.dateTime(e.at)}, ${e.size} bytes`)}</span>
            </List.Item>
          )}
        />
        <VoucherUpload disbursementId={disbursementId} revision={revision} onDone={changed} />
      </Card>
    </Space>
  );
}

function VoucherUpload({ disbursementId, revision, onDone }: { disbursementId: string; revision: number; onDone(position?: string | null): void }) {
  const i18n = useI18n();
  const { t } = i18n;
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const label = i18n.command('/v1/disbursements/{disbursementId}/evidence');
  const upload = async () => {
    const file = input.current?.files?.[0];
    if (!file) {
      setError(t('请选择文件', 'Choose a file'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const r = await command(`/v1/disbursements/${encodeURIComponent(disbursementId)}/evidence`, null, { file, idempotencyKey: newIdempotencyKey(), ifMatch: revision });
      if (input.current) input.current.value = '';
      onDone(r.position);
    } catch (err) {
      setError(i18n.problem(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space wrap style={{ marginTop: 8 }}>
      <label htmlFor="voucher-file">{t('凭证文件', 'Voucher file')}</label>
      <input id="voucher-file" ref={input} type="file" />
      <Button size="small" loading={busy} onClick={() => void upload()}>{label}</Button>
      {error && <Alert type="error" showIcon message={error} role="alert" />}
    </Space>
  );
}
