import { App as AntApp, Button, Card, Col, Row, Select, Space, Spin, Table, Typography } from 'antd';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { BarChart, type ChartSeries } from '../components/Chart';
import { Problem } from '../components/bits';
import { useFocusableScroll } from '../components/focusable-scroll';
import type { ReportCell } from '../components/excel';
import { download, getJson, saveBlob } from '../lib/api';
import { formatWan, todayInShanghai } from '../lib/format';

/** Fen as the API sends it: a JSON integer, or a string of digits beyond 2^53 − 1. */
type Fen = number | string;
import { useI18n } from '../lib/i18n';

type Kind = 'text' | 'count' | 'fen';
interface Col {
  zh: string;
  en: string;
  kind: Kind;
}
/** A report as a table: what the page shows beside its chart, and what the CSV and Excel files hold. */
interface Tab {
  cols: Col[];
  rows: ReportCell[][];
}

const wanNumber = (fen: Fen): number => Number(fen) / 1_000_000;
const wanText = (fen: Fen): string => formatWan(fen, '').trim();

function yuanText(fen: number | string): string {
  const s = String(fen);
  const neg = s.startsWith('-');
  const digits = (neg ? s.slice(1) : s).padStart(3, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** Headers of the files: Chinese, money in yuan. */
const fileHeader = (c: Col) => (c.kind === 'fen' ? `${c.zh}（元）` : c.zh);

function csvOf(tab: Tab): Blob {
  const esc = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const line = (cells: string[]) => cells.map(esc).join(',');
  const body = tab.rows.map((r) => line(r.map((c) => (c === null ? '' : typeof c === 'object' ? yuanText(c.fen) : String(c)))));
  return new Blob([`\uFEFF${[line(tab.cols.map(fileHeader)), ...body].join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' });
}

function ReportTable({ caption, tab }: { caption: string; tab: Tab }) {
  const { t } = useI18n();
  const data = tab.rows.map((r, i) => ({ key: i, cells: r }));
  const ref = useFocusableScroll();
  return (
    <div ref={ref}>
    <Table
      size="small"
      pagination={tab.rows.length > 20 ? { pageSize: 20 } : false}
      scroll={{ x: 'max-content' }}
      aria-label={caption}
      title={() => caption}
      dataSource={data}
      columns={tab.cols.map((c, i) => ({
        key: String(i),
        title: c.kind === 'fen' ? t(`${c.zh}（万元）`, `${c.en} (10k yuan)`) : t(c.zh, c.en),
        align: c.kind === 'text' ? ('left' as const) : ('right' as const),
        render: (_: unknown, row: { cells: ReportCell[] }) => {
          const v = row.cells[i];
          if (v === null || v === undefined) return '—';
          if (typeof v === 'object') return <span style={{ fontVariantNumeric: 'tabular-nums' }}>{wanText(v.fen)}</span>;
          return v;
        },
      }))}
    />
    </div>
  );
}

/** One report: its chart and its table side by side (stacked on a phone), and its CSV and Excel downloads. */
function ReportCard({ title, en, tab, chart, csvPath, fileBase, extra, loading, error }: { title: string; en: string; tab: Tab | null; chart: ReactNode; csvPath?: string; fileBase: string; extra?: ReactNode; loading: boolean; error: unknown }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { message } = AntApp.useApp();
  const [busy, setBusy] = useState<string | null>(null);
  const name = t(title, en);
  const run = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    try {
      await fn();
    } catch (e) {
      message.error(i18n.problem(e));
    } finally {
      setBusy(null);
    }
  };
  const csv = () =>
    run('csv', async () => {
      // fileBase is the name the API gives its CSV (Content-Disposition): bureaus-portfolio, report-2026, report-2026Q1.
      if (csvPath) await download(csvPath, `${fileBase}.csv`);
      else if (tab) saveBlob(csvOf(tab), `${fileBase}.csv`);
    });
  const xlsx = () =>
    run('xlsx', async () => {
      if (!tab) return;
      const { saveXlsx } = await import('../components/excel');
      await saveXlsx(`${fileBase}.xlsx`, title, tab.cols.map(fileHeader), tab.rows);
    });
  return (
    <Card
      title={<Typography.Title level={3} style={{ fontSize: 16, margin: 0 }}>{name}</Typography.Title>}
      extra={
        <Space wrap>
          <Button size="small" onClick={() => void csv()} loading={busy === 'csv'} disabled={!tab} aria-label={t(`下载 CSV：${title}`, `Download CSV: ${en}`)}>CSV</Button>
          <Button size="small" onClick={() => void xlsx()} loading={busy === 'xlsx'} disabled={!tab} aria-label={t(`下载 Excel：${title}`, `Download Excel: ${en}`)}>Excel</Button>
        </Space>
      }
      styles={{ header: { flexWrap: 'wrap', rowGap: 8 } }}
    >
      {extra}
      <Problem error={error} />
      {loading && !tab && <Spin aria-label={t('加载中', 'Loading')} />}
      {tab && (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={12} style={{ minWidth: 0 }}>{chart}</Col>
          <Col xs={24} lg={12} style={{ minWidth: 0 }}>
            <ReportTable caption={name} tab={tab} />
          </Col>
        </Row>
      )}
    </Card>
  );
}

function useJson<T>(path: string, query: Record<string, string | number | undefined> = {}) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const q = JSON.stringify(query);
  useEffect(() => {
    let live = true;
    setLoading(true);
    getJson<T>(path, JSON.parse(q) as Record<string, string>)
      .then((r) => {
        if (!live) return;
        setData(r.data);
        setError(null);
      })
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [path, q]);
  return { data, error, loading };
}

interface Portfolio {
  groups: Array<{ key: Record<string, string>; projects: number; requestedFunding: Fen; approvedFunding: Fen }>;
}

const dimensions = {
  stage: { zh: '按阶段', en: 'By stage', col: { zh: '阶段', en: 'Stage' } },
  status: { zh: '按状态', en: 'By status', col: { zh: '状态', en: 'Status' } },
  industry: { zh: '按产业', en: 'By industry', col: { zh: '产业', en: 'Industry' } },
  county: { zh: '按县（市、区）', en: 'By county', col: { zh: '县（市、区）', en: 'County' } },
} as const;

function PortfolioBy({ by }: { by: keyof typeof dimensions }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { data, error, loading } = useJson<Portfolio>('/v1/reporting/portfolio', { by });
  const d = dimensions[by];
  const keyLabel = (k: string | undefined) => (k === undefined || k === null ? '—' : by === 'stage' ? i18n.stage(k) : by === 'status' ? i18n.status(k) : k);
  const tab = useMemo<Tab | null>(
    () =>
      data && {
        cols: [{ ...d.col, kind: 'text' }, { zh: '项目数', en: 'Projects', kind: 'count' }, { zh: '申请资金', en: 'Requested', kind: 'fen' }, { zh: '批准资金', en: 'Approved', kind: 'fen' }],
        rows: data.groups.map((g) => [keyLabel(g.key[by]), g.projects, { fen: g.requestedFunding }, { fen: g.approvedFunding }]),
      },
    [data, by, i18n.lang],
  );
  const categories = useMemo(() => (data ? data.groups.map((g) => keyLabel(g.key[by])) : []), [data, by, i18n.lang]);
  const series = useMemo<ChartSeries[]>(
    () => (data ? [{ name: t('项目数', 'Projects'), data: data.groups.map((g) => g.projects) }, { name: t('批准资金（万元）', 'Approved (10k yuan)'), data: data.groups.map((g) => wanNumber(g.approvedFunding)), yAxisIndex: 1 }] : []),
    [data, t],
  );
  const axisNames = useMemo<[string, string]>(() => [t('项目数', 'Projects'), t('万元', '10k yuan')], [t]);
  const title = `项目与资金${d.zh}`;
  const en = `Projects and funding ${d.en.toLowerCase()}`;
  return (
    <ReportCard
      title={title}
      en={en}
      tab={tab}
      loading={loading}
      error={error}
      fileBase={`portfolio-by-${by}`}
      chart={<BarChart label={t(`${title}柱状图：${categories.map((c, i) => `${c} ${data?.groups[i]?.projects ?? 0} 项`).join('，')}；数据见右侧表格`, `${en}, bar chart: ${categories.map((c, i) => `${c} ${data?.groups[i]?.projects ?? 0}`).join(', ')}; the table holds the figures`)} categories={categories} series={series} axisNames={axisNames} />}
    />
  );
}

interface BureauRollUp {
  bureaus: Array<{ code: string; name: string | null; level: string; path: string; parentPath: string | null; own: Record<string, Fen>; subtotal: Record<string, Fen> }>;
}

function BureauPortfolio() {
  const { t } = useI18n();
  const { data, error, loading } = useJson<BureauRollUp>('/v1/reporting/bureaus/portfolio');
  const levels: Record<string, [string, string]> = { province: ['省', 'Province'], city: ['市', 'City'], county: ['县（市、区）', 'County'] };
  const tab = useMemo<Tab | null>(
    () =>
      data && {
        cols: [
          { zh: '科技局代码', en: 'Bureau code', kind: 'text' },
          { zh: '名称', en: 'Name', kind: 'text' },
          { zh: '层级', en: 'Level', kind: 'text' },
          { zh: '项目数（含下级）', en: 'Projects (subtree)', kind: 'count' },
          { zh: '在研项目', en: 'Active', kind: 'count' },
          { zh: '已结题', en: 'Closed', kind: 'count' },
          { zh: '申请资金', en: 'Requested', kind: 'fen' },
          { zh: '批准资金', en: 'Approved', kind: 'fen' },
        ],
        rows: data.bureaus.map((b) => [b.code, b.name ?? '—', t(...(levels[b.level] ?? [b.level, b.level])), Number(b.subtotal.projects), Number(b.subtotal.projectsActive), Number(b.subtotal.projectsClosed), { fen: b.subtotal.requestedFunding! }, { fen: b.subtotal.approvedFunding! }]),
      },
    [data, t],
  );
  const categories = useMemo(() => (data ? data.bureaus.map((b) => b.name ?? b.code) : []), [data]);
  const series = useMemo<ChartSeries[]>(
    () => (data ? [{ name: t('项目数', 'Projects'), data: data.bureaus.map((b) => Number(b.subtotal.projects)) }, { name: t('批准资金（万元）', 'Approved (10k yuan)'), data: data.bureaus.map((b) => wanNumber(b.subtotal.approvedFunding!)), yAxisIndex: 1 }] : []),
    [data, t],
  );
  const axisNames = useMemo<[string, string]>(() => [t('项目数', 'Projects'), t('万元', '10k yuan')], [t]);
  return (
    <ReportCard
      title="项目与资金按科技局（含下级小计）"
      en="Projects and funding by bureau (subtotals)"
      tab={tab}
      loading={loading}
      error={error}
      csvPath="/v1/reporting/bureaus/portfolio.csv"
      fileBase="bureaus-portfolio"
      chart={<BarChart label={t(`按科技局柱状图：${categories.join('，')}；数据见右侧表格`, `By bureau, bar chart: ${categories.join(', ')}; the table holds the figures`)} categories={categories} series={series} axisNames={axisNames} />}
    />
  );
}

interface Report {
  period: { from: string; to: string; label: string };
  asOf: string;
  sections: Record<string, Array<{ group: string; key: string; count: number; amount: Fen }>>;
  overdue: { total: number };
}

const sectionNames: Record<string, [string, string]> = {
  projects: ['项目进展', 'Projects'],
  milestones: ['任务节点', 'Milestones'],
  money: ['期内资金', 'Money in the period'],
  moneyByRuleAndYear: ['分年度资金', 'Money by rule and year'],
  subsidies: ['补助台账', 'Subsidy ledgers'],
  portfolio: ['项目总体', 'Portfolio'],
};
const keyNames: Record<string, [string, string]> = {
  submitted: ['申报', 'submitted'],
  approved: ['立项', 'approved'],
  rejected: ['未立项', 'rejected'],
  terminated: ['终止', 'terminated'],
  closed: ['结题', 'closed'],
  withdrawn: ['撤回', 'withdrawn'],
  paid: ['拨付', 'paid'],
  reversed: ['退回', 'reversed'],
  clawed_back: ['追回', 'clawed back'],
  net: ['净额', 'net'],
  due_reported_on_time: ['按期报告', 'reported on time'],
  due_reported_late: ['逾期报告', 'reported late'],
  due_not_reported: ['未报告', 'not reported'],
  turnover: ['技术合同到账额', 'bank-paid turnover'],
  entitlement: ['应享补助', 'entitlement'],
  at_cap: ['达到上限', 'at the cap'],
  volume: ['市内交易额', 'in-city volume'],
  acceptance_passed: ['验收通过', 'acceptance passed'],
  acceptance_failed: ['验收不通过', 'acceptance failed'],
};

function PeriodReport() {
  const i18n = useI18n();
  const { t } = i18n;
  const thisYear = Number(todayInShanghai().slice(0, 4));
  const [year, setYear] = useState(thisYear);
  const [quarter, setQuarter] = useState(0);
  const path = quarter ? '/v1/reporting/quarterly' : '/v1/reporting/annual';
  const query = quarter ? { year, quarter } : { year };
  const { data, error, loading } = useJson<Report>(path, query);
  const keyLabel = (section: string, key: string) => {
    if (section === 'portfolio' && key.includes('/')) {
      const [stage, status] = key.split('/');
      return `${i18n.stage(stage)} · ${i18n.status(status)}`;
    }
    const k = keyNames[key];
    return k ? t(...k) : key;
  };
  const tab = useMemo<Tab | null>(
    () =>
      data && {
        cols: [
          { zh: '部分', en: 'Section', kind: 'text' },
          { zh: '分组', en: 'Group', kind: 'text' },
          { zh: '项目', en: 'Item', kind: 'text' },
          { zh: '数量', en: 'Count', kind: 'count' },
          { zh: '金额', en: 'Amount', kind: 'fen' },
        ],
        rows: Object.entries(data.sections).flatMap(([section, lines]) =>
          lines.map((l) => [t(...(sectionNames[section] ?? [section, section])), l.group.replace(/^money:/, ''), keyLabel(section, l.key), l.count, section === 'milestones' ? null : { fen: l.amount }]),
        ),
      },
    [data, i18n.lang],
  );
  // Net money by year and rule (万元), up to the year chosen.
  const byYear = useMemo(() => {
    const lines = data?.sections.moneyByRuleAndYear?.filter((l) => l.key === 'net') ?? [];
    const years = [...new Set(lines.map((l) => l.group.split(':')[1] ?? ''))].sort();
    const rules = [...new Set(lines.map((l) => l.group.split(':')[0] ?? ''))].sort();
    return {
      years,
      series: rules.map((r) => ({ name: r, data: years.map((y) => wanNumber(lines.find((l) => l.group === `${r}:${y}`)?.amount ?? 0)) })),
    };
  }, [data]);
  const axisNames = useMemo<[string]>(() => [t('净拨付（万元）', 'Net paid (10k yuan)')], [t]);
  const title = quarter ? `${year} 年第 ${quarter} 季度报告` : `${year} 年度报告`;
  const en = quarter ? `Quarterly report ${year} Q${quarter}` : `Annual report ${year}`;
  return (
    <ReportCard
      title={title}
      en={en}
      tab={tab}
      loading={loading}
      error={error}
      csvPath={`${path}.csv?year=${year}${quarter ? `&quarter=${quarter}` : ''}`}
      fileBase={quarter ? `report-${year}Q${quarter}` : `report-${year}`}
      extra={
        <Space wrap style={{ marginBottom: 12 }}>
          <Select aria-label={t('年度', 'Year')} value={year} onChange={setYear} style={{ width: 110 }} options={Array.from({ length: 8 }, (_, i) => thisYear - i).map((y) => ({ value: y, label: t(`${y} 年`, String(y)) }))} />
          <Select aria-label={t('期间', 'Period')} value={quarter} onChange={setQuarter} style={{ width: 130 }} options={[{ value: 0, label: t('全年', 'Whole year') }, ...[1, 2, 3, 4].map((q) => ({ value: q, label: t(`第 ${q} 季度`, `Q${q}`) }))]} />
          {data && <Typography.Text>{t(`截至 ${i18n.date(data.asOf)} 逾期事项 ${data.overdue.total} 项`, `${data.overdue.total} items overdue on ${i18n.date(data.asOf)}`)}</Typography.Text>}
        </Space>
      }
      chart={<BarChart label={t(`各年度按资金规则的净拨付（万元）柱状图：${byYear.years.join('、') || '无数据'}；数据见右侧表格“分年度资金”`, `Net money paid by year and rule (10k yuan), bar chart: ${byYear.years.join(', ') || 'no data'}; the table holds the figures`)} categories={byYear.years} series={byYear.series} axisNames={axisNames} />}
    />
  );
}

/** Portfolio dashboards: projects and funding by stage, industry, county, bureau and year, each with a chart, its table, CSV and Excel. */
export default function Reports() {
  const { t } = useI18n();
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>{t('统计报表', 'Reports')}</Typography.Title>
      <Typography.Paragraph style={{ margin: 0 }}>
        {t('金额以万元显示；下载的 CSV 与 Excel 文件中金额以元为单位（两位小数）。', 'Amounts are shown in 10k yuan; the CSV and Excel files hold yuan with two decimals.')}
      </Typography.Paragraph>
      <PortfolioBy by="stage" />
      <PortfolioBy by="industry" />
      <PortfolioBy by="county" />
      <BureauPortfolio />
      <PeriodReport />
    </Space>
  );
}
