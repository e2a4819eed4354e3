import { parseArgs } from 'node:util';
import { demoProvince, fullProvince, generateProvince } from '@gongguan/projector/tools';

/**
 * Writes a generated province as NDJSON, one append per line: {"stream", "expectedRevision",
 * "events": [...]}, in an order that keeps each stream's revisions consecutive. The generator
 * itself lives in @gongguan/projections (src/generate): it drives the domain's deciders, so every
 * event is one the lifecycle would have produced; the same --seed gives the same file.
 *
 *   pnpm tsx scripts/generate/province.ts --projects 2000 --seed 7 > province.ndjson
 *   pnpm tsx scripts/generate/province.ts --events 1000000 --stats
 *   pnpm tsx scripts/generate/province.ts --province --stats      # all of Zhejiang, 10 years (pnpm seed --province)
 *   pnpm tsx scripts/generate/province.ts --demo --stats          # pnpm seed's default: three cities, three counties each
 *
 * Without --province or --demo: the Taizhou demo (the city and its nine counties).
 */
const { values } = parseArgs({
  options: {
    projects: { type: 'string', default: '300' },
    events: { type: 'string' },
    seed: { type: 'string', default: '20180717' },
    today: { type: 'string' },
    stats: { type: 'boolean', default: false },
    province: { type: 'boolean', default: false },
    demo: { type: 'boolean', default: false },
    'first-year': { type: 'string' },
  },
});
const events = values.events === undefined ? undefined : Number(values.events);
const preset = values.province ? fullProvince : values.demo ? demoProvince : {};
const generator = generateProvince({
  ...preset,
  seed: Number(values.seed),
  projects: events === undefined ? (values.province && values.projects === '300' ? fullProvince.projects : Number(values.projects)) : Math.ceil(events / 20),
  ...(values['first-year'] ? { firstYear: Number(values['first-year']) } : {}),
  ...(events === undefined ? {} : { maxEvents: events }),
  ...(values.today ? { today: values.today } : {}),
});
const types = new Map<string, number>();
let step = generator.next();
while (step.done !== true) {
  for (const append of step.value) {
    if (values.stats) for (const e of append.events) types.set(e.type, (types.get(e.type) ?? 0) + 1);
    else process.stdout.write(`${JSON.stringify(append)}\n`);
  }
  step = generator.next();
}
if (values.stats) {
  console.log(`${step.value.projects} projects, ${step.value.events} events`);
  for (const [type, n] of [...types].sort((a, b) => b[1] - a[1])) console.log(`${String(n).padStart(9)}  ${type}`);
}
