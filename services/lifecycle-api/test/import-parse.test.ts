import t from 'tap';
import fc from 'fast-check';
import ExcelJS from 'exceljs';
import { factsOf } from '../src/import/facts.js';
import { readCsv, readXlsx, sniffFormat } from '../src/import/table.js';
import { parseDate, parseOrganisations, parseYuan } from '../src/import/values.js';

t.test('yuan to fen, exactly, from the decimal text', async (t) => {
  const fen = (raw: string) => {
    const parsed = parseYuan(raw);
    return parsed.ok ? parsed.value : parsed.reason;
  };
  t.equal(fen('1,234,567.89'), 123_456_789);
  t.equal(fen('１２３．４万元'), 123_400_000, 'full-width digits, 万元');
  t.equal(fen('0.07'), 7);
  t.equal(fen('¥100,000'), 10_000_000);
  t.equal(fen('300万'), 300_000_000);
  t.equal(fen('123.456789万元'), 123_456_789, '万元 to the fen');
  t.equal(fen('100000元'), 10_000_000);
  t.equal(fen('1.10'), 110, 'a trailing zero is not more precision');
  t.match(fen('12.345'), /精确到分以下/);
  t.match(fen('1,23,456'), /不是金额/, 'commas in thousands only');
  t.match(fen('-5'), /不是金额/);
  t.match(fen('99999999999999999'), /金额过大/);
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 2n ** 53n - 1n }), (n) => {
      const text = `${n / 100n}.${String(n % 100n).padStart(2, '0')}`;
      const grouped = `${(n / 100n).toLocaleString('en-US')}.${String(n % 100n).padStart(2, '0')}`;
      const wan = `${n / 1_000_000n}.${String(n % 1_000_000n).padStart(6, '0')}万元`;
      return fen(text) === Number(n) && fen(grouped) === Number(n) && fen(wan) === Number(n);
    }),
  );
});

t.test('dates as clerks and Excel write them', async (t) => {
  const day = (raw: string) => {
    const parsed = parseDate(raw);
    return parsed.ok ? parsed.value : parsed.reason;
  };
  for (const raw of ['2018-05-01', '2018/5/1', '2018.5.1', '2018年5月1日', '20180501', '43221', '43221.0']) t.equal(day(raw), '2018-05-01', raw);
  t.equal(day('2020/2/29'), '2020-02-29');
  t.match(day('2019-02-29'), /不是存在的日期/);
  t.match(day('5/1/2018'), /不是日期/);
  t.match(day('明天'), /不是日期/);
});

t.test('organisations: name (credit code) list', async (t) => {
  const parsed = parseOrganisations('浙江阀门有限公司（52331000MA2K12345W）；台州学院(12331000470000001L)');
  t.same(parsed, { ok: true, value: [{ name: '浙江阀门有限公司', creditCode: '52331000MA2K12345W' }, { name: '台州学院', creditCode: '12331000470000001L' }] });
  t.match(parseOrganisations('浙江阀门有限公司'), { ok: false });
});

t.test('CSV: BOM, quoted line breaks, blank lines, GB18030; each row keeps the line it starts on', async (t) => {
  const text = '\ufeff类型,项目编号,备注\r\n评审,p-1,"第一行\n第二行"\r\n\r\n评审,p-2,"引号""内"""\r\n';
  const [table] = readCsv(Buffer.from(text));
  t.same(table!.headers, ['类型', '项目编号', '备注']);
  t.same(table!.rows.map((r) => [r.line, r.cells]), [
    [2, ['评审', 'p-1', '第一行\n第二行']],
    [5, ['评审', 'p-2', '引号"内"']],
  ]);
  const gbk = Buffer.from([0xc0, 0xe0, 0xd0, 0xcd, 0x0a, 0xc6, 0xc0, 0xc9, 0xf3, 0x0a]); // "类型\n评审" in GBK
  const [decoded] = readCsv(gbk);
  t.same([decoded!.headers, decoded!.rows[0]!.cells], [['类型'], ['评审']]);
  t.equal(sniffFormat(gbk), 'csv');
});

t.test('xlsx: one sheet per kind, date and number cells, row numbers', async (t) => {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('任务书');
  sheet.addRow(['项目编号', '开始日期', '批准资金（元）', '考核指标', '日期', '经办人']);
  sheet.addRow([]);
  sheet.addRow(['p-1', new Date(Date.UTC(2018, 7, 1)), 2000000.1, '效率：≥82%', 43306, 'zhangli']);
  const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
  t.equal(sniffFormat(bytes), 'xlsx');
  const tables = await readXlsx(bytes);
  t.same(tables[0]!.rows.map((r) => [r.line, r.cells]), [[3, ['p-1', '2018-08-01', '2000000.1', '效率：≥82%', '43306', 'zhangli']]]);
  const { facts, errors } = factsOf(tables);
  t.same(errors.map((e) => e.code), ['MISSING_VALUE'], 'the task book lists no milestone (节点)');
  t.same(facts[0]?.body, { startOn: '2018-08-01', approvedFunding: 200_000_010, milestones: [], indicators: [{ name: '效率', target: '≥82%' }] });
  t.equal(facts[0]?.on, '2018-07-25', 'a date serial');
});

t.test('facts are sorted by date, then kind, then file order', async (t) => {
  const [table] = readCsv(
    Buffer.from(
      '类型,项目编号,节点编号,节点名称,计划完成日期,报告日期,完成情况,佐证材料,验收日期,经办人,开始日期,批准资金（元）,考核指标,日期\n' +
        '节点,p-1,m1,模型,2019-02-01,2019-01-25,完成,r.pdf,2019-01-28,zl,,,,\n' +
        '任务书,p-1,,,,,,,,zl,2018-08-01,"2,000,000",效率:82%,2018-07-25\n',
    ),
  );
  const { facts, errors } = factsOf([table!]);
  t.same(errors, []);
  t.same(facts.map((f) => [f.on, f.url.split('/').pop()]), [['2018-07-25', 'task-book'], ['2019-01-25', 'report'], ['2019-01-28', 'acceptance']]);
  t.same((facts[0]!.body as { milestones: unknown }).milestones, [{ milestoneId: 'm1', title: '模型', dueOn: '2019-02-01' }], 'the task book signs the milestones its rows define');
});
