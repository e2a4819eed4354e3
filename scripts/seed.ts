import { parseArgs } from 'node:util';
import { openEventStore, loadProvince } from '@gongguan/projector/tools';

const { values } = parseArgs({
  options: {
    projects: { type: 'string', default: '120' },
    seed: { type: 'string', default: '20180717' },
    today: { type: 'string' },
  },
});

const where = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `the embedded database in ${process.env.DATA_DIR ?? './.data'}`;
console.log(`seeding a demo province into ${where}`);
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
  const result = await loadProvince(
    store,
    { projects: Number(values.projects), seed: Number(values.seed), ...(values.today ? { today: values.today } : {}) },
    { onProgress: (p) => process.stdout.write(`\r  ${p.events} events in ${p.appends} appends`) },
  );
  console.log(`\nloaded ${result.projects} projects, ${result.events} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log('Seeding again with the same --seed writes nothing new (event ids are reproducible).');
  console.log('Start the server (pnpm start): the projector builds the read models; then try');
  console.log('  curl -H "Authorization: Bearer $(pnpm -s token --role reporter --sub demo)" http://127.0.0.1:3000/v1/reporting/projects');
} finally {
  await store.close();
}
