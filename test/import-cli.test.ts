/**
 * `pnpm gongguan import`: the shipped Taizhou 2018 sample (.xlsx and .csv) checks clean in a dry
 * run and imports, with progress on stderr; the template holds no records; a file with a bad cell
 * exits 1 listing its line and column.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { lifecycleService, startSystem } from './support/system.js';
import { gongguan as cli, root } from './support/cli.js';


t.test('pglite: the sample through the CLI', async (t) => {
  const system = await startSystem(t, 'pglite', [lifecycleService({ redriver: false })]);
  const env = { GONGGUAN_URL: system.url, GONGGUAN_TOKEN: await system.token('officer', 'clerk-xu') };
  const xlsx = join(root, 'services/lifecycle-api/samples/import/taizhou-2018.xlsx');
  const csv = join(root, 'services/lifecycle-api/samples/import/taizhou-2018.csv');

  const dry = await cli(['import', xlsx, '--dry-run'], env);
  t.equal(dry.code, 0, dry.stdout + dry.stderr);
  t.match(dry.stdout, /^OK: 61 rows, \d+ facts, nothing written \(dry run\)/m);
  t.equal(await system.eventCount(), 0);
  const template = await cli(['import', join(root, 'services/lifecycle-api/samples/import/template.xlsx'), '--dry-run'], env);
  t.match(template.stdout, /OK: 0 rows, 0 facts/);

  const run = await cli(['import', csv], env);
  t.equal(run.code, 0, run.stdout + run.stderr);
  t.match(run.stdout, /^OK: import [0-9a-f]{64}: \d+ facts recorded/m);
  t.match(run.stderr, /import [0-9a-f]{12}: (running|done) \d+\/\d+ facts/, 'progress on stderr');
  const count = await system.eventCount();
  t.ok(count > 80);
  const again = await cli(['import', xlsx], env);
  t.equal(again.code, 0);
  t.equal(await system.eventCount(), count, 'the sample again: nothing new');

  const dir = mkdtempSync(join(tmpdir(), 'gongguan-import-'));
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, '类型,计划编号,计划名称,主管部门,立项限额,征集开始,征集截止,日期,经办人\n计划,tz-x,测试计划,台州市科学技术局,十,2018-05-01,2018-07-31,2018-04-20,zhangli\n');
  const refused = await cli(['import', bad], env);
  t.equal(refused.code, 1);
  t.match(refused.stdout, /第 2 行 \[立项限额\] INVALID_VALUE: "十" 不是整数/);
});
