/**
 * Writes services/lifecycle-api/samples/import/: the empty templates (.xlsx with one sheet per kind, .csv with a 类型
 * column) and the Taizhou 2018 sample (a programme, window 2018-05-01 to 2018-07-31, with five
 * projects through reviews, approval, task book, milestones, contract payment and the R1 and R2
 * payments), as `pnpm gongguan import` takes them. A few hundred projects for a test:
 * `node --import tsx scripts/import-samples.ts --projects 300 --out /tmp/records.csv`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { historicalRecords, toCsv, toXlsx } from '../services/lifecycle-api/src/import/sample.js';

const { values } = parseArgs({ options: { projects: { type: 'string' }, out: { type: 'string' } } });

if (values.projects) {
  const n = Number(values.projects);
  const years = [2018, 2019, 2020];
  const per = Math.ceil(n / years.length);
  const rows = historicalRecords({ years, perProgramme: per });
  const out = values.out ?? 'records.csv';
  writeFileSync(out, out.endsWith('.xlsx') ? await toXlsx(rows) : toCsv(rows));
  process.stdout.write(`wrote ${rows.length} rows (${per * years.length} projects) to ${out}\n`);
} else {
  const dir = values.out ?? 'services/lifecycle-api/samples/import';
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'template.csv'), toCsv([]));
  writeFileSync(join(dir, 'template.xlsx'), await toXlsx([]));
  const sample = historicalRecords({ years: [2018], perProgramme: 5, quota: 10 });
  writeFileSync(join(dir, 'taizhou-2018.csv'), toCsv(sample));
  writeFileSync(join(dir, 'taizhou-2018.xlsx'), await toXlsx(sample));
  process.stdout.write(`wrote the templates and the Taizhou 2018 sample (${sample.length} rows) to ${dir}\n`);
}
