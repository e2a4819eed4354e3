import { defaultDistDir, ensureBuilt, isBuilt } from '../src/build.js';

const started = Date.now();
if (isBuilt()) {
  console.log(`console: ${defaultDistDir} is current`);
} else {
  console.log('console: building (vite)…');
  await ensureBuilt({ logger: { info: (_o: unknown, m?: string) => console.log(`console: ${m ?? ''}`), warn: console.warn, error: console.error } as never });
  console.log(`console: built in ${((Date.now() - started) / 1000).toFixed(1)} s → ${defaultDistDir}`);
}
