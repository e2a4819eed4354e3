import { parseArgs } from 'node:util';
import { createLogger } from '@gongguan/platform';
import { openStorage } from '@gongguan/platform/db';
import { allProjections, createSqlEventStore, ensureReadModels, projectionNamed, readCatalogue, rebuildProjections } from '@gongguan/projector/tools';

const usage = `usage: pnpm projections status
       pnpm projections rebuild [name ...]     (names: ${allProjections.map((p) => p.name).join(', ')}; default all)

Uses DATABASE_URL when set, else the embedded database in DATA_DIR (default ./.data).
The embedded database can be opened by one process only: stop the server first, or use
POST /v1/projections/rebuild (role admin) on the running server instead.`;

const { positionals } = parseArgs({ allowPositionals: true });
const [command, ...names] = positionals;
if (command !== 'status' && command !== 'rebuild') {
  console.error(usage);
  process.exit(64);
}
const projections = names.length === 0 ? allProjections : names.map((n) => projectionNamed(n) ?? (console.error(`no projection ${n}\n\n${usage}`), process.exit(64)));

const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
const sql = await openStorage({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR ?? './.data', logger, applicationName: 'gongguan-projections' });
const store = await createSqlEventStore({ sql, logger });
try {
  await ensureReadModels(sql, allProjections);
  if (command === 'rebuild') {
    console.log(`rebuilding ${projections.map((p) => p.name).join(', ')} into new tables; readers keep the current ones until the swap`);
    let last = 0;
    const result = await rebuildProjections({
      sql,
      store,
      projections,
      logger,
      onProgress: (p) => {
        const now = Date.now();
        if (p.phase === 'building' && now - last < 1000) return;
        last = now;
        console.log(`  ${p.phase.padEnd(9)} ${p.events.toLocaleString('en')} events  ${p.eventsPerSecond.toLocaleString('en')}/s  ${p.elapsedSeconds.toFixed(1)} s  position ${p.position}`);
      },
    });
    console.log(`swapped in: ${Object.entries(result.generations).map(([n, g]) => `${n} → generation ${g.to}`).join(', ')} (${result.events.toLocaleString('en')} events in ${result.seconds.toFixed(1)} s)`);
  }
  for (const row of await readCatalogue(sql)) {
    console.log(`${row.name.padEnd(10)} generation ${row.generation}  v${row.version}  ${row.status.padEnd(8)} at ${row.position}${row.error ? `  stopped: ${JSON.stringify(row.error)}` : ''}`);
  }
} finally {
  await store.close();
  await sql.close();
}
