import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { consoleRoot } from '../src/build.js';
import { apiTypes, commandDescriptors, readOpenApi } from '../src/generate.js';

// The console's typed client and its forms come from the API's /openapi.json. When a route or
// schema changes, this fails until `pnpm --filter @gongguan/console gen:api` is run and committed.
t.test('the typed client and the command forms are generated from the current /openapi.json', async (t) => {
  const doc = await readOpenApi();
  const dir = join(consoleRoot, 'src', 'web', 'api');
  const commands = commandDescriptors(doc);
  t.ok(commands.length >= 60, `${commands.length} commands`);
  t.ok(commands.every((c) => c.roles.length > 0 || c.path.includes('cosignatures')), 'every command says who may issue it');
  t.equal(readFileSync(join(dir, 'commands.json'), 'utf8'), `${JSON.stringify(commands)}\n`, 'commands.json is current (run pnpm --filter @gongguan/console gen:api)');
  t.equal(readFileSync(join(dir, 'schema.d.ts'), 'utf8'), await apiTypes(doc), 'schema.d.ts is current (run pnpm --filter @gongguan/console gen:api)');
});
