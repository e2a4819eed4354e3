import { creditCodeCheckChar } from '@gongguan/domain';
import { loadExcel } from './excel.js';
import { ALL_COLUMNS, COLUMNS, KIND_COLUMNS, KINDS, type Column, type Kind } from './facts.js';

/** One row of an import file: its kind and its cells by column. */
export interface SampleRow {
  kind: Kind;
  cells: Partial<Record<Column, string>>;
}

/** A valid unified social credit code from a 17-character body (digits and allowed letters). */
export function creditCode(first17: string): string {
  const check = creditCodeCheckChar(first17);
  if (check === null) throw new Error(`${first17} is not the body of a credit code`);
  return `${first17}${check}`;
}

const UNIVERSITY = { name: '台州学院', code: creditCode('12331000470000001') };
const INDUSTRIES = ['泵与电机', '模具', '智能马桶', '汽摩配件'];
const COUNTIES = [
  { name: '温岭市', code: '331081' },
  { name: '玉环市', code: '331083' },
  { name: '黄岩区', code: '331003' },
  { name: '路桥区', code: '331004' },
];

const ymd = (y: number, m: number, d: number) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/**
 * The records of historical programmes as a bureau would enter them: for each year, a programme
 * (window 05-01 to 07-31) and `perProgramme` projects through formal and expert review, publicity,
 * approval, the R1 grant (requested, approved by another finance officer, paid), task book, two
 * milestones, promotion, a conversion contract with its bank payment (R2 assessed) and the R2
 * subsidy paid. Every date lies where the rules of that day allow it; dates are written in the
 * several ways clerks write them.
 */
export function historicalRecords(options: { years: number[]; perProgramme: number; quota?: number; /** Added to each lead enterprise's number (so several histories share no enterprise). */ enterpriseBase?: number }): SampleRow[] {
  const rows: SampleRow[] = [];
  for (const year of options.years) {
    const programmeId = `tz-${year}`;
    rows.push({
      kind: '计划',
      cells: {
        programmeId, programmeName: `台州市${year}年度十大共性技术攻关项目`, bureauName: '台州市科学技术局', quota: String(options.quota ?? Math.max(10, options.perProgramme)),
        focusIndustries: INDUSTRIES.join('、'), opensOn: `${year}/5/1`, closesOn: `${year}年7月31日`, date: ymd(year, 4, 20), officer: 'zhangli', note: '',
      },
    });
    for (let i = 1; i <= options.perProgramme; i++) {
      const projectId = `tz${year}-${String(i).padStart(3, '0')}`;
      const county = COUNTIES[i % COUNTIES.length]!;
      const lead = { name: `台州${i}号泵业有限公司`, code: creditCode(`91331000MA2${String(year % 100).padStart(2, '0')}${String(i + (options.enterpriseBase ?? 0)).padStart(4, '0')}`) };
      const day = 1 + (i % 28);
      const P = { projectId };
      rows.push({
        kind: '项目',
        cells: {
          ...P, programmeId, title: `高效节能${i}号水泵关键技术攻关`, leadName: lead.name, leadCode: lead.code,
          partners: i % 3 === 0 ? `浙江阀门有限公司（${creditCode('52331000MA2K12345')}）` : '',
          industry: INDUSTRIES[i % INDUSTRIES.length]!, county: county.name, countyCode: county.code, piName: '王伟', piTitle: '总工程师',
          technologies: '水力模型优化；永磁电机', requestedYuan: i % 2 === 0 ? '3,000,000.00' : '300万元', date: ymd(year, 5, day), officer: 'zhangli',
        },
      });
      rows.push({ kind: '评审', cells: { ...P, reviewKind: '形式审查', result: '通过', date: ymd(year, 6, 5), officer: 'lina' } });
      rows.push({ kind: '评审', cells: { ...P, reviewKind: '专家评分', expertId: 'expert-chen', expertName: '陈军', expertEmployer: UNIVERSITY.code, score: String(70 + (i % 30)), date: ymd(year, 6, 10), officer: 'zhangli', note: '方案可行' } });
      rows.push({ kind: '立项', cells: { ...P, publicityOn: ymd(year, 7, 1), result: '立项', date: ymd(year, 7, 20), officer: 'zhangli', approver: 'zhoujun', note: '局务会议研究同意' } });
      rows.push({ kind: '任务书', cells: { ...P, startOn: ymd(year, 8, 1), approvedYuan: '2,000,000', indicators: '效率：额定流量下≥82%；噪声：≤65 dB', date: ymd(year, 7, 25), officer: 'zhangli' } });
      rows.push({ kind: '节点', cells: { ...P, milestoneId: 'm1', milestoneTitle: '水力模型验证', dueOn: ymd(year + 1, 2, 1), reportedOn: ymd(year + 1, 1, 25), summary: '试验台验证完成', evidence: '试验报告.pdf', officer: 'zhangli', acceptedOn: ymd(year + 1, 1, 28), acceptedBy: 'lina' } });
      rows.push({ kind: '节点', cells: { ...P, milestoneId: 'm2', milestoneTitle: '样机试制', dueOn: ymd(year + 1, 12, 1), reportedOn: ymd(year + 1, 11, 20), summary: '样机通过检测', evidence: '检测报告.pdf；样机照片.jpg', officer: 'zhangli', acceptedOn: ymd(year + 1, 11, 25), acceptedBy: 'lina' } });
      rows.push({ kind: '阶段', cells: { ...P, stage: '推广', date: ymd(year + 1, 12, 1), officer: 'zhangli' } });
      rows.push({
        kind: '合同',
        cells: { ...P, contractId: 'c1', contractTitle: '水力模型技术许可', transferorName: UNIVERSITY.name, transferorCode: UNIVERSITY.code, transfereeName: lead.name, transfereeCode: lead.code, amountYuan: '2,000,000.00', date: ymd(year + 2, 1, 10), officer: 'zhangli' },
      });
      rows.push({ kind: '付款', cells: { ...P, paymentKind: 'R1资助', requestedOn: ymd(year, 7, 25), approvedOn: ymd(year, 7, 28), date: ymd(year, 8, 5), bankReference: `ICBC-R1-${year}-${String(i).padStart(4, '0')}`, financeClerk: 'wangfang', financeReviewer: 'liuyang' } });
      rows.push({ kind: '付款', cells: { ...P, paymentKind: '合同付款', contractId: 'c1', paymentId: 'pay1', amountYuan: '2,000,000.00', date: ymd(year + 2, 3, 15), bankReference: `ICBC-C-${year + 2}-${String(i).padStart(4, '0')}`, officer: 'zhangli' } });
      rows.push({
        kind: '付款',
        cells: { ...P, paymentKind: 'R2补助', paymentId: 'pay1', year: String(year + 2), payeeName: lead.name, payeeCode: lead.code, requestedOn: ymd(year + 2, 4, 1), approvedOn: ymd(year + 2, 4, 5), date: ymd(year + 2, 4, 15), bankReference: `ICBC-R2-${year + 2}-${String(i).padStart(4, '0')}`, financeClerk: 'wangfang', financeReviewer: 'liuyang' },
      });
    }
  }
  return rows;
}

const header = (c: Column) => COLUMNS[c][0];

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV (UTF-8 with BOM, so Excel opens it as UTF-8) with a 类型 column and every kind's columns. */
export function toCsv(rows: readonly SampleRow[]): string {
  const lines = [ALL_COLUMNS.map(header).map(csvField).join(',')];
  for (const row of rows) lines.push(ALL_COLUMNS.map((c) => csvField(c === 'kind' ? row.kind : (row.cells[c] ?? ''))).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

/** A workbook with one worksheet per kind (named by it), headed by that kind's columns. */
export async function toXlsx(rows: readonly SampleRow[]): Promise<Buffer> {
  const workbook = new (await loadExcel()).Workbook();
  for (const kind of KINDS) {
    const sheet = workbook.addWorksheet(kind);
    const columns = KIND_COLUMNS[kind];
    sheet.addRow(columns.map(header));
    sheet.getRow(1).font = { bold: true };
    sheet.columns.forEach((col) => {
      col.width = 16;
    });
    for (const row of rows.filter((r) => r.kind === kind)) sheet.addRow(columns.map((c) => row.cells[c] ?? ''));
    sheet.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
