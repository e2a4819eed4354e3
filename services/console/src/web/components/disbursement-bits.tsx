import { Tag } from 'antd';
import { Link } from 'react-router-dom';
import { useI18n } from '../lib/i18n';
import { linkStyle } from './project-queue';

export type DisbursementRow = {
  disbursementId: string; rule: string; payeeName: string | null; payeeCreditCode: string | null; projectId: string | null; basis: string | null; amount: number | string; status: string;
  requestedBy: string; requestedOn: string | null; approvedBy: string | null; approvedOn: string | null; cancelledOn: string | null; paidAmount: number | string | null; paidOn: string | null;
  bankReference: string | null; recordedBy: string | null; reversedAmount: number | string | null; reversedOn: string | null; clawedBackAmount: number | string | null;
};

// Solid tags in dark shades with white text: WCAG AA contrast, which Ant Design's light preset tags miss.
const shades = { green: '#237804', gold: '#874d00', blue: '#0050b3', red: '#a8071a', purple: '#531dab', grey: '#595959' } as const;
export type Shade = keyof typeof shades;

/** A tag readable at AA contrast. */
export function Mark({ shade, children }: { shade: Shade; children: React.ReactNode }) {
  return <Tag color={shades[shade]} style={{ whiteSpace: 'normal' }}>{children}</Tag>;
}

const labels: Record<string, [string, string, Shade]> = {
  requested: ['待审批', 'Requested', 'gold'],
  approved: ['已审批，待支付', 'Approved, to pay', 'blue'],
  paid: ['已支付', 'Paid', 'green'],
  cancelled: ['已取消', 'Cancelled', 'grey'],
  reversed: ['已退回银行', 'Reversed', 'red'],
};

/** A disbursement's status (its own words: "approved" here is the payment's approval, not a project's selection). */
export function DisbursementStatus({ status }: { status: string }) {
  const { t } = useI18n();
  const l = labels[status];
  return <Mark shade={l?.[2] ?? 'grey'}>{l ? t(l[0], l[1]) : status}</Mark>;
}

export function disbursementLink(id: string) {
  return <Link style={linkStyle} to={`/disbursements/${encodeURIComponent(id)}`}>{id}</Link>;
}

export function useFourEyes() {
  const { t } = useI18n();
  return {
    requester: t('四眼原则：您是申请人，须由另一位财务人员审批', 'Four-eyes rule: you requested it; another finance officer must approve it'),
    approver: t('四眼原则：您审批了此笔拨付，须由另一位财务人员登记支付', 'Four-eyes rule: you approved it; another finance officer must record the payment'),
    corrector: t('四眼原则：您申请了此更正，须由另一位财务人员批准', 'Four-eyes rule: you requested this correction; another finance officer must approve it'),
  };
}
