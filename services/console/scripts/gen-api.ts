import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { consoleRoot } from '../src/build.js';
import { apiTypes, commandDescriptors, readOpenApi } from '../src/generate.js';

// Regenerates the console's typed client and its command forms from the API's /openapi.json.
// services/console/test/generated.test.ts fails when they are stale: run `pnpm --filter @gongguan/console gen:api`.
const doc = await readOpenApi();
const dir = join(consoleRoot, 'src', 'web', 'api');
writeFileSync(join(dir, 'schema.d.ts'), await apiTypes(doc));
const commands = commandDescriptors(doc);
writeFileSync(join(dir, 'commands.json'), `${JSON.stringify(commands)}\n`);
console.log(`wrote ${join(dir, 'schema.d.ts')} and ${commands.length} commands to ${join(dir, 'commands.json')}`);
process.exit(0);
