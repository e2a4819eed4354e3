import type { Role } from '@gongguan/domain';
import type { Table } from './table.js';
import { parseDate, parseIndicators, parseInteger, parseList, parseOrganisations, parseYesNo, parseYuan, type Parsed } from './values.js';

/**
 * The import's file format: one row per record, of one kind (计划, 项目, 评审, 立项, 任务书, 节点,
 * 阶段, 合同, 付款). A workbook may give each kind its own worksheet (named by the kind) or put
 * every row on one sheet with a 类型 column; a CSV has the 类型 column. Headers are Chinese (the
 * English alias in COLUMNS is accepted too); unknown headers are refused, so a typo is not data lost.
 * A row turns into one or more facts, each a command route with its effective date and the person
 * who did it.
 */

export const KINDS = ['计划', '项目', '评审', '立项', '任务书', '节点', '阶段', '合同', '付款'] as const;
export type Kind = (typeof KINDS)[number];
const KIND_ALIASES: Record<string, Kind> = {
  programme: '计划', programmes: '计划', project: '项目', projects: '项目', review: '评审', reviews: '评审',
  approval: '立项', approvals: '立项', 'task book': '任务书', 'task books': '任务书', taskbook: '任务书', milestone: '节点', milestones: '节点',
  stage: '阶段', stages: '阶段', contract: '合同', contracts: '合同', payment: '付款', payments: '付款', 拨付: '付款',
};

/** Every column: its key, its Chinese header, its English alias. */
export const COLUMNS = {
  kind: ['类型', 'kind'],
  date: ['日期', 'date'],
  programmeId: ['计划编号', 'programme_id'],
  projectId: ['项目编号', 'project_id'],
  officer: ['经办人', 'officer'],
  approver: ['审批人', 'approver'],
  financeClerk: ['财务经办', 'finance_clerk'],
  financeReviewer: ['财务审核', 'finance_reviewer'],
  note: ['备注', 'comment'],
  // 计划
  programmeName: ['计划名称', 'programme_name'],
  bureauName: ['主管部门', 'bureau_name'],
  quota: ['立项限额', 'quota'],
  focusIndustries: ['重点产业', 'focus_industries'],
  opensOn: ['征集开始', 'opens_on'],
  closesOn: ['征集截止', 'closes_on'],
  // 项目
  title: ['项目名称', 'title'],
  leadName: ['牵头单位', 'lead_enterprise'],
  leadCode: ['牵头单位信用代码', 'lead_credit_code'],
  partners: ['合作单位', 'partners'],
  industry: ['产业', 'industry'],
  county: ['县区', 'county'],
  countyCode: ['县区代码', 'county_code'],
  piName: ['项目负责人', 'principal_investigator'],
  piTitle: ['负责人职称', 'pi_title'],
  technologies: ['关键技术', 'key_technologies'],
  requestedYuan: ['申请资金（元）', 'requested_yuan'],
  // 评审
  reviewKind: ['评审类型', 'review_kind'],
  result: ['结果', 'result'],
  expertId: ['专家编号', 'expert_id'],
  expertName: ['专家姓名', 'expert_name'],
  expertEmployer: ['专家单位信用代码', 'expert_employer_credit_code'],
  score: ['评分', 'score'],
  // 立项
  publicityOn: ['公示开始', 'publicity_starts_on'],
  // 任务书
  startOn: ['开始日期', 'start_on'],
  approvedYuan: ['批准资金（元）', 'approved_yuan'],
  indicators: ['考核指标', 'indicators'],
  // 节点
  milestoneId: ['节点编号', 'milestone_id'],
  milestoneTitle: ['节点名称', 'milestone_title'],
  dueOn: ['计划完成日期', 'due_on'],
  reportedOn: ['报告日期', 'reported_on'],
  summary: ['完成情况', 'summary'],
  evidence: ['佐证材料', 'evidence'],
  acceptedOn: ['验收日期', 'accepted_on'],
  acceptedBy: ['验收人', 'accepted_by'],
  // 阶段
  stage: ['阶段', 'stage'],
  // 合同
  contractId: ['合同编号', 'contract_id'],
  contractTitle: ['合同名称', 'contract_title'],
  transferorName: ['转让方', 'transferor'],
  transferorCode: ['转让方信用代码', 'transferor_credit_code'],
  transfereeName: ['受让方', 'transferee'],
  transfereeCode: ['受让方信用代码', 'transferee_credit_code'],
  amountYuan: ['金额（元）', 'amount_yuan'],
  // 付款
  paymentKind: ['付款类型', 'payment_kind'],
  paymentId: ['付款编号', 'payment_id'],
  disbursementId: ['拨付编号', 'disbursement_id'],
  bankReference: ['银行流水号', 'bank_reference'],
  requestedOn: ['申请日期', 'requested_on'],
  approvedOn: ['审核日期', 'approved_on'],
  payeeName: ['收款单位', 'payee'],
  payeeCode: ['收款单位信用代码', 'payee_credit_code'],
  year: ['年度', 'year'],
} as const satisfies Record<string, readonly [string, string]>;
export type Column = keyof typeof COLUMNS;

/** The columns of each kind, in template order (类型 and the shared ones first). */
export const KIND_COLUMNS: Record<Kind, Column[]> = {
  计划: ['programmeId', 'programmeName', 'bureauName', 'quota', 'focusIndustries', 'opensOn', 'closesOn', 'date', 'officer', 'note'],
  项目: ['projectId', 'programmeId', 'title', 'leadName', 'leadCode', 'partners', 'industry', 'county', 'countyCode', 'piName', 'piTitle', 'technologies', 'requestedYuan', 'date', 'officer'],
  评审: ['projectId', 'reviewKind', 'result', 'expertId', 'expertName', 'expertEmployer', 'score', 'date', 'officer', 'note'],
  立项: ['projectId', 'publicityOn', 'result', 'date', 'officer', 'approver', 'note'],
  任务书: ['projectId', 'startOn', 'approvedYuan', 'indicators', 'date', 'officer'],
  节点: ['projectId', 'milestoneId', 'milestoneTitle', 'dueOn', 'reportedOn', 'summary', 'evidence', 'officer', 'acceptedOn', 'acceptedBy', 'note'],
  阶段: ['projectId', 'stage', 'date', 'officer'],
  合同: ['projectId', 'contractId', 'contractTitle', 'transferorName', 'transferorCode', 'transfereeName', 'transfereeCode', 'amountYuan', 'date', 'officer'],
  付款: ['projectId', 'paymentKind', 'paymentId', 'disbursementId', 'contractId', 'amountYuan', 'bankReference', 'requestedOn', 'approvedOn', 'date', 'payeeName', 'payeeCode', 'year', 'officer', 'financeClerk', 'financeReviewer', 'note'],
};

/** Every column of a one-table file (CSV): 类型 first, then each kind's columns once. */
export const ALL_COLUMNS: Column[] = ['kind', ...new Set(KINDS.flatMap((k) => KIND_COLUMNS[k]))];

const HEADER_TO_COLUMN = new Map<string, Column>(
  (Object.entries(COLUMNS) as Array<[Column, readonly [string, string]]>).flatMap(([key, [zh, en]]) => [
    [normaliseHeader(zh), key],
    [normaliseHeader(en), key],
  ]),
);

function normaliseHeader(header: string): string {
  return header.trim().replace(/\(/g, '（').replace(/\)/g, '）').replace(/\s+/g, '').replace(/\*$/, '').toLowerCase();
}

/** A problem with one cell (or row) of the file. */
export interface RowError {
  sheet: string;
  line: number;
  /** The header as the file has it, or the template's Chinese header when the column is missing. */
  column: string;
  code: string;
  message: string;
}

/** One command to run: a route of the lifecycle API as of one day, by one person. */
export interface Fact {
  /** Its place in the file: sheet, row line, and which of the row's facts (0, 1, …). */
  sheet: string;
  line: number;
  step: number;
  kind: Kind;
  /** The effective (business) date, YYYY-MM-DD. */
  on: string;
  url: string;
  params: Record<string, string>;
  body: Record<string, unknown>;
  actor: { id: string; role: Role };
  /** The column a refusal of this fact is reported on (its date, mostly: rules read dates). */
  column: string;
  /** Where a body or params field came from, for errors on it. */
  fields: Record<string, string>;
  /** What the fact needs (a programme, a project, a disbursement, a payment): a refused fact before it on one of them skips it. */
  subjects: string[];
  /** What a refusal of this fact leaves missing for the facts after it (its subjects unless given). */
  blocks?: string[];
}

export interface ParsedFile {
  facts: Fact[];
  errors: RowError[];
  rows: number;
  /** What rows with errors leave missing (their project, programme, disbursement or payment): facts that need it are skipped. */
  blocked: Array<{ subject: string; error: RowError }>;
}

const KIND_RANK = new Map<Kind, number>(KINDS.map((k, i) => [k, i]));

function kindOf(text: string): Kind | undefined {
  const t = text.trim();
  if ((KINDS as readonly string[]).includes(t)) return t as Kind;
  return KIND_ALIASES[t.toLowerCase()];
}

/**
 * Rows to facts, sorted by effective date (then kind, file order, step): a stream's dates never
 * go backwards, and ledgers are shared across projects. Every problem found is listed; a row with
 * one yields no facts.
 */
export function factsOf(tables: readonly Table[]): ParsedFile {
  const errors: RowError[] = [];
  const blocked: ParsedFile['blocked'] = [];
  const facts: Array<Fact & { order: number }> = [];
  let rows = 0;
  const milestones = new Map<string, Array<{ milestoneId: string; title: string; dueOn: string }>>();
  const taskBooks: Array<Fact> = [];
  tables.forEach((table, tableIndex) => {
    const sheetKind = kindOf(table.sheet.replace(/（.*$|\(.*$/, ''));
    const columns: Array<Column | undefined> = table.headers.map((h) => (h === '' ? undefined : HEADER_TO_COLUMN.get(normaliseHeader(h))));
    const headerOf = (c: Column) => table.headers[columns.indexOf(c)] ?? COLUMNS[c][0];
    table.headers.forEach((h, i) => {
      if (h !== '' && columns[i] === undefined) {
        errors.push({ sheet: table.sheet, line: table.headerLine, column: h, code: 'UNKNOWN_COLUMN', message: `未知的列 "${h}" (unknown column; see the template)` });
      }
    });
    if (!columns.includes('kind') && sheetKind === undefined) {
      if (table.rows.length > 0) {
        errors.push({ sheet: table.sheet, line: table.headerLine, column: COLUMNS.kind[0], code: 'MISSING_COLUMN', message: `缺少"类型"列，工作表名也不是记录类型 (no 类型 column and the sheet name is not a kind: ${KINDS.join('、')})` });
      }
      return;
    }
    for (const row of table.rows) {
      rows++;
      const cell = (c: Column): string => {
        const i = columns.indexOf(c);
        return i < 0 ? '' : (row.cells[i] ?? '').trim();
      };
      const rowErrors: RowError[] = [];
      const fail = (c: Column, code: string, message: string) => rowErrors.push({ sheet: table.sheet, line: row.line, column: headerOf(c), code, message });
      const kindText = cell('kind');
      const kind = kindText === '' ? sheetKind : kindOf(kindText);
      if (kind === undefined) {
        fail('kind', 'INVALID_VALUE', `"${kindText}" 不是记录类型，应为 ${KINDS.join('、')} (unknown kind)`);
        errors.push(...rowErrors);
        continue;
      }
      const need = (c: Column): string => {
        const v = cell(c);
        if (v === '') fail(c, 'MISSING_VALUE', `${kind}记录缺少"${COLUMNS[c][0]}" (${COLUMNS[c][1]} is required for this kind)`);
        return v;
      };
      const value = <T>(c: Column, parse: (raw: string) => Parsed<T>, required = true): T | undefined => {
        const raw = required ? need(c) : cell(c);
        if (raw === '') return undefined;
        const parsed = parse(raw);
        if (!parsed.ok) {
          fail(c, 'INVALID_VALUE', parsed.reason);
          return undefined;
        }
        return parsed.value;
      };
      const date = (c: Column, required = true) => value(c, parseDate, required);
      const out: Fact[] = [];
      const fact = (on: string | undefined, dateColumn: Column, url: string, params: Record<string, string>, body: Record<string, unknown>, actor: { id: string; role: Role }, fields: Record<string, Column>, subjects: string[], blocks?: string[]) => {
        if (on === undefined || actor.id === '') return;
        out.push({
          sheet: table.sheet, line: row.line, step: out.length, kind, on, url, params, body, actor, column: headerOf(dateColumn),
          fields: Object.fromEntries(Object.entries(fields).map(([field, c]) => [field, headerOf(c)])), subjects, ...(blocks ? { blocks } : {}),
        });
      };
      const projectId = (): string => need('projectId');
      const P = (id: string) => ({ projectId: id });

      switch (kind) {
        case '计划': {
          const programmeId = need('programmeId');
          const on = date('date');
          const officer = need('officer');
          const quota = value('quota', (r) => parseInteger(r, 1, 10_000));
          const opensOn = date('opensOn');
          const closesOn = date('closesOn');
          const body = { programmeId, name: need('programmeName'), bureau: need('bureauName'), quota, focusIndustries: parseList(cell('focusIndustries'), true) };
          const subjects = [`programme:${programmeId}`];
          fact(on, 'date', '/v1/programmes', {}, body, { id: officer, role: 'officer' }, { programmeId: 'programmeId', name: 'programmeName', bureau: 'bureauName', quota: 'quota', focusIndustries: 'focusIndustries' }, subjects);
          fact(on, 'date', '/v1/programmes/:programmeId/solicitation/opening', { programmeId }, { opensOn, closesOn }, { id: officer, role: 'officer' }, { programmeId: 'programmeId', opensOn: 'opensOn', closesOn: 'closesOn' }, subjects);
          break;
        }
        case '项目': {
          const id = projectId();
          const programmeId = need('programmeId');
          const on = date('date');
          const officer = need('officer');
          const partners = value('partners', parseOrganisations, false) ?? [];
          const requestedFunding = value('requestedYuan', parseYuan);
          const countyCode = cell('countyCode');
          const piTitle = cell('piTitle');
          const body = {
            projectId: id, title: need('title'), leadEnterprise: { name: need('leadName'), creditCode: need('leadCode') }, partners,
            industry: need('industry'), county: need('county'), ...(countyCode ? { countyCode } : {}),
            principalInvestigator: { name: need('piName'), ...(piTitle ? { title: piTitle } : {}) },
            keyTechnologies: parseList(need('technologies'), true), requestedFunding,
          };
          fact(on, 'date', '/v1/programmes/:programmeId/proposals', { programmeId }, body, { id: officer, role: 'officer' },
            { projectId: 'projectId', programmeId: 'programmeId', title: 'title', leadEnterprise: 'leadName', 'leadEnterprise.creditCode': 'leadCode', partners: 'partners', industry: 'industry', county: 'county', countyCode: 'countyCode', principalInvestigator: 'piName', keyTechnologies: 'technologies', requestedFunding: 'requestedYuan' },
            [`project:${id}`, `programme:${programmeId}`], [`project:${id}`]);
          break;
        }
        case '评审': {
          const id = projectId();
          const on = date('date');
          const officer = need('officer');
          const reviewKind = need('reviewKind');
          const subjects = [`project:${id}`];
          if (/形式/.test(reviewKind) || reviewKind.toLowerCase() === 'formal') {
            const passed = value('result', parseYesNo);
            const reasons = parseList(cell('note'), true);
            if (passed === false && reasons.length === 0) fail('note', 'MISSING_VALUE', '形式审查不通过须在"备注"写明理由 (a failed formal review needs its reasons)');
            fact(on, 'date', '/v1/projects/:projectId/formal-review', P(id), { passed, reasons }, { id: officer, role: 'officer' }, { projectId: 'projectId', passed: 'result', reasons: 'note' }, subjects);
          } else if (/专家/.test(reviewKind) || reviewKind.toLowerCase() === 'expert') {
            const expertId = need('expertId');
            const score = value('score', (r) => parseInteger(r, 0, 100));
            const comment = cell('note');
            fact(on, 'date', '/v1/projects/:projectId/reviewers', P(id), { reviewerId: expertId, name: need('expertName'), employerCreditCode: need('expertEmployer') }, { id: officer, role: 'officer' }, { projectId: 'projectId', reviewerId: 'expertId', name: 'expertName', employerCreditCode: 'expertEmployer' }, subjects);
            fact(on, 'date', '/v1/projects/:projectId/scores', P(id), { score, ...(comment ? { comment } : {}) }, { id: expertId, role: 'reviewer' }, { projectId: 'projectId', score: 'score', comment: 'note' }, subjects);
          } else if (reviewKind !== '') {
            fail('reviewKind', 'INVALID_VALUE', `"${reviewKind}" 应为 形式审查 或 专家评分 (formal or expert)`);
          }
          break;
        }
        case '立项': {
          const id = projectId();
          const on = date('date');
          const result = cell('result');
          const approve = result === '' || /^(立项|同意|通过|批准|approved?)$/i.test(result);
          const reject = /^(不予立项|不同意|不通过|驳回|rejected?)$/i.test(result);
          if (!approve && !reject) fail('result', 'INVALID_VALUE', `"${result}" 应为 立项 或 不予立项 (approve or reject)`);
          const approver = need('approver');
          const comment = cell('note');
          const subjects = [`project:${id}`];
          const publicityOn = date('publicityOn', approve);
          if (publicityOn !== undefined) {
            fact(publicityOn, 'publicityOn', '/v1/projects/:projectId/publicity', P(id), { startsOn: publicityOn }, { id: need('officer'), role: 'officer' }, { projectId: 'projectId', startsOn: 'publicityOn' }, subjects);
          }
          if (approve) fact(on, 'date', '/v1/projects/:projectId/approval', P(id), comment ? { comment } : {}, { id: approver, role: 'approver' }, { projectId: 'projectId', comment: 'note' }, subjects);
          else if (reject) {
            if (comment === '') fail('note', 'MISSING_VALUE', '不予立项须在"备注"写明理由 (a rejection needs its reason)');
            fact(on, 'date', '/v1/projects/:projectId/rejection', P(id), { reason: comment }, { id: approver, role: 'approver' }, { projectId: 'projectId', reason: 'note' }, subjects);
          }
          break;
        }
        case '任务书': {
          const id = projectId();
          const on = date('date');
          const body = { startOn: date('startOn'), approvedFunding: value('approvedYuan', parseYuan), milestones: [] as unknown[], indicators: value('indicators', parseIndicators) };
          fact(on, 'date', '/v1/projects/:projectId/task-book', P(id), body, { id: need('officer'), role: 'officer' }, { projectId: 'projectId', startOn: 'startOn', approvedFunding: 'approvedYuan', indicators: 'indicators', milestones: 'milestoneId' }, [`project:${id}`]);
          taskBooks.push(...out);
          break;
        }
        case '节点': {
          const id = projectId();
          const milestoneId = need('milestoneId');
          const title = need('milestoneTitle');
          const dueOn = date('dueOn');
          if (id && milestoneId && title && dueOn) {
            const list = milestones.get(id) ?? [];
            list.push({ milestoneId, title, dueOn });
            milestones.set(id, list);
          }
          const reportedOn = date('reportedOn', false);
          const acceptedOn = date('acceptedOn', false);
          const officer = reportedOn || acceptedOn ? need('officer') : '';
          const subjects = [`project:${id}`];
          const params = { projectId: id, milestoneId };
          if (reportedOn) {
            fact(reportedOn, 'reportedOn', '/v1/projects/:projectId/milestones/:milestoneId/report', params, { reportedOn, summary: need('summary'), evidence: parseList(need('evidence'), true) }, { id: officer, role: 'officer' }, { projectId: 'projectId', milestoneId: 'milestoneId', reportedOn: 'reportedOn', summary: 'summary', evidence: 'evidence' }, subjects);
          }
          if (acceptedOn) {
            if (!reportedOn) fail('reportedOn', 'MISSING_VALUE', '验收前须有报告日期 (a milestone is reported before it is accepted)');
            const comment = cell('note');
            fact(acceptedOn, 'acceptedOn', '/v1/projects/:projectId/milestones/:milestoneId/acceptance', params, comment ? { comment } : {}, { id: cell('acceptedBy') || officer, role: 'officer' }, { projectId: 'projectId', milestoneId: 'milestoneId', comment: 'note' }, subjects);
          }
          break;
        }
        case '阶段': {
          const id = projectId();
          const stage = need('stage');
          if (stage !== '' && !/^(推广|promotion)$/i.test(stage)) fail('stage', 'INVALID_VALUE', `"${stage}" 应为 推广 (only the move to promotion is recorded)`);
          fact(date('date'), 'date', '/v1/projects/:projectId/stage', P(id), { to: 'promotion' }, { id: need('officer'), role: 'officer' }, { projectId: 'projectId', to: 'stage' }, [`project:${id}`]);
          break;
        }
        case '合同': {
          const id = projectId();
          const on = date('date');
          const body = {
            contractId: need('contractId'), title: need('contractTitle'),
            transferor: { name: need('transferorName'), creditCode: need('transferorCode') },
            transferee: { name: need('transfereeName'), creditCode: need('transfereeCode') },
            amount: value('amountYuan', parseYuan), signedOn: on,
          };
          fact(on, 'date', '/v1/projects/:projectId/contracts', P(id), body, { id: need('officer'), role: 'officer' },
            { projectId: 'projectId', contractId: 'contractId', title: 'contractTitle', transferor: 'transferorName', 'transferor.creditCode': 'transferorCode', transferee: 'transfereeName', 'transferee.creditCode': 'transfereeCode', amount: 'amountYuan', signedOn: 'date' },
            [`project:${id}`]);
          break;
        }
        case '付款': {
          const id = projectId();
          const paymentKind = need('paymentKind');
          const paidOn = date('date');
          const bankReference = need('bankReference');
          const comment = cell('note');
          if (/合同/.test(paymentKind) || paymentKind.toLowerCase() === 'contract') {
            const amount = value('amountYuan', parseYuan);
            const contractId = need('contractId');
            const paymentId = need('paymentId');
            fact(paidOn, 'date', '/v1/projects/:projectId/contracts/:contractId/payments', { projectId: id, contractId }, { paymentId, amount, bankReference, paidOn }, { id: need('officer'), role: 'officer' },
              { projectId: 'projectId', contractId: 'contractId', paymentId: 'paymentId', amount: 'amountYuan', bankReference: 'bankReference', paidOn: 'date' }, [`project:${id}`], [`payment:${id}.${paymentId}`]);
            break;
          }
          const r1 = /R1|资助|立项/i.test(paymentKind);
          const r2 = /R2|补助|补贴/i.test(paymentKind);
          if (!r1 && !r2) {
            if (paymentKind !== '') fail('paymentKind', 'INVALID_VALUE', `"${paymentKind}" 应为 R1资助、合同付款 或 R2补助 (R1 grant, contract payment or R2 subsidy)`);
            break;
          }
          if (cell('amountYuan') !== '') fail('amountYuan', 'INVALID_VALUE', 'R1 资助和 R2 补助的金额由计划政策算定，请留空 (the amount of an R1 grant or R2 subsidy follows from the policy; leave it empty)');
          const requestedOn = date('requestedOn');
          const approvedOn = date('approvedOn');
          const clerk = need('financeClerk');
          const reviewer = need('financeReviewer');
          let disbursementId = cell('disbursementId');
          const subjects = [`project:${id}`];
          const blocks = () => [`disbursement:${disbursementId}`];
          if (r1) {
            disbursementId ||= `r1-${id}`.slice(0, 64);
            fact(requestedOn, 'requestedOn', '/v1/projects/:projectId/grants/r1', P(id), { disbursementId }, { id: clerk, role: 'finance' }, { projectId: 'projectId', disbursementId: 'disbursementId' }, subjects, blocks());
          } else {
            const paymentId = need('paymentId');
            const year = value('year', (r) => parseInteger(r, 2000, 2100));
            disbursementId ||= `r2-${id}.${paymentId}`.slice(0, 64);
            const entitlement = { rule: 'R2', creditCode: need('payeeCode'), year, projectId: id, paymentId };
            fact(requestedOn, 'requestedOn', '/v1/disbursements', {}, { disbursementId, entitlement, payee: { name: need('payeeName'), creditCode: cell('payeeCode') } }, { id: clerk, role: 'finance' },
              { disbursementId: 'disbursementId', entitlement: 'paymentId', 'entitlement.creditCode': 'payeeCode', 'entitlement.year': 'year', payee: 'payeeName', 'payee.creditCode': 'payeeCode' }, [...subjects, `payment:${id}.${paymentId}`], blocks());
          }
          const D = { disbursementId };
          const both = [...subjects, `disbursement:${disbursementId}`];
          fact(approvedOn, 'approvedOn', '/v1/disbursements/:disbursementId/approval', D, comment ? { comment } : {}, { id: reviewer, role: 'finance' }, { disbursementId: 'disbursementId', comment: 'note' }, both, blocks());
          fact(paidOn, 'date', '/v1/disbursements/:disbursementId/payment', D, { bankReference, paidOn }, { id: clerk, role: 'finance' }, { disbursementId: 'disbursementId', bankReference: 'bankReference', paidOn: 'date' }, both, blocks());
          break;
        }
      }
      if (rowErrors.length > 0) {
        errors.push(...rowErrors);
        const subject =
          kind === '计划' ? `programme:${cell('programmeId')}`
          : kind !== '付款' ? `project:${cell('projectId')}`
          : cell('paymentKind').includes('合同') ? `payment:${cell('projectId')}.${cell('paymentId')}`
          : `disbursement:${cell('disbursementId') || (/R2|补助|补贴/i.test(cell('paymentKind')) ? `r2-${cell('projectId')}.${cell('paymentId')}` : `r1-${cell('projectId')}`).slice(0, 64)}`;
        blocked.push({ subject, error: rowErrors[0]! });
        taskBooks.splice(taskBooks.length - out.filter((f) => f.kind === '任务书').length);
        continue;
      }
      for (const f of out) facts.push({ ...f, order: tableIndex * 1_000_000 + row.line });
    }
  });
  // A task book signs the milestones its project's 节点 rows define.
  for (const book of taskBooks) {
    const list = milestones.get(book.params.projectId!) ?? [];
    book.body.milestones = list;
    if (list.length === 0) {
      errors.push({ sheet: book.sheet, line: book.line, column: COLUMNS.milestoneId[0], code: 'MISSING_VALUE', message: `项目 ${book.params.projectId} 的任务书没有节点：请在"节点"中列出 (the task book needs its milestones as 节点 rows)` });
    }
  }
  facts.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0) || KIND_RANK.get(a.kind)! - KIND_RANK.get(b.kind)! || a.order - b.order || a.step - b.step);
  errors.sort((a, b) => a.sheet.localeCompare(b.sheet) || a.line - b.line);
  return { facts: facts.map(({ order: _order, ...f }) => f), errors, rows, blocked };
}
