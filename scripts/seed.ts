import { parseArgs } from 'node:util';
import { demoProvince, fullProvince, loadProvince, openEventStore, provinceDivisions, type ProvinceOptions } from '@gongguan/projector/tools';

/**
 * `pnpm seed`: a reproducible demo into the embedded database (./.data) or DATABASE_URL.
 *
 *   pnpm seed                     # a small province: 浙江省, three cities (台州 丽水 温州), three counties each
 *   pnpm seed --city 331000       # one city and all its counties (the Taizhou demo of before bureaus)
 *   pnpm seed --province          # all of Zhejiang: 11 cities, 90 counties, 2016–2025, > 3 million events
 *   pnpm seed --province --projects 2000 --first-year 2024   # the same shape, smaller
 *
 * Every bureau is registered (the registry's events) before its programmes; same --seed, same data.
 */
const { values } = parseArgs({
  options: {
    projects: { type: 'string' },
    seed: { type: 'string', default: '20180717' },
    today: { type: 'string' },
    'first-year': { type: 'string' },
    province: { type: 'boolean', default: false },
    city: { type: 'string', multiple: true },
    'counties-per-city': { type: 'string' },
  },
});

const shape: ProvinceOptions = values.province
  ? { cities: fullProvince.cities, firstYear: fullProvince.firstYear, today: fullProvince.today, projects: fullProvince.projects }
  : values.city
    ? { cities: values.city, projects: 120 }
    : { ...demoProvince, projects: 120 };
if (values.projects !== undefined) shape.projects = Number(values.projects);
if (values['counties-per-city'] !== undefined) shape.countiesPerCity = Number(values['counties-per-city']);
if (values['first-year'] !== undefined) {
  shape.firstYear = Number(values['first-year']);
  // The province's ten years end on its today; a later first year keeps that today, an earlier one moves it.
  if (values.today === undefined && values.province) shape.today = `${Math.max(shape.firstYear, 2025)}-06-30`;
  else if (values.today === undefined) delete shape.today;
}
if (values.today !== undefined) shape.today = values.today;
const options: ProvinceOptions = { ...shape, seed: Number(values.seed) };

const divisions = provinceDivisions(options);
const counties = divisions.reduce((n, c) => n + c.counties.length, 0);
const where = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `the embedded database in ${process.env.DATA_DIR ?? './.data'}`;
console.log(`seeding ${divisions.length} ${divisions.length === 1 ? 'city' : 'cities'} and ${counties} counties of 浙江省 (${options.projects} projects) into ${where}`);
let store;
try {
  store = await openEventStore({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR ?? './.data' });
} catch (err) {
  console.error(`cannot open ${where}: ${err instanceof Error ? err.message : String(err)}`);
  console.error('The embedded database can be opened by one process only: stop `pnpm start` first, then seed, then start again.');
  process.exit(1);
}
try {
  const started = Date.now();
  const tty = process.stdout.isTTY;
  let shown = 0;
  const result = await loadProvince(store, options, {
    onProgress: (p) => {
      const seconds = (Date.now() - started) / 1000;
      const line = `  ${p.events} events in ${p.appends} appends, ${Math.round(p.events / Math.max(seconds, 0.001))} events/s`;
      // On a terminal one line rewritten; in a log a line every 10 s.
      if (tty) process.stdout.write(`\r${line}`);
      else if (seconds - shown >= 10) {
        shown = seconds;
        console.log(line);
      }
    },
  });
  console.log(`\nloaded ${result.projects} projects, ${result.events} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log('Seeding again with the same options writes nothing new (event ids are reproducible).');
  console.log('Start the server (pnpm start): the projector builds the read models; then try');
  console.log('  curl -H "Authorization: Bearer $(pnpm -s token --role reporter --sub demo --bureau 330000)" http://127.0.0.1:3000/v1/reporting/projects');
} finally {
  await store.close();
}
