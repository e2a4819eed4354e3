/**
 * HEAP_GROWING_PERCENT (src/runtime/heap.ts): set once the process runs, V8 uses it for the next
 * old-generation limit. A child process applies it, forces a major GC, and reports (through
 * `--trace-gc-verbose`) the factor V8 set the new limit with.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { applyHeapGrowth } from '../src/runtime/heap.js';

const heapModule = fileURLToPath(new URL('../src/runtime/heap.ts', import.meta.url));

/** The factors of the old-generation limits V8 set after `applyHeapGrowth` of each percent in turn and one full GC. */
function limitFactors(...percents: number[]): number[] {
  const script = `import { applyHeapGrowth } from ${JSON.stringify(heapModule)};
for (const percent of process.argv.slice(1)) applyHeapGrowth(Number(percent));
const keep = Array.from({ length: 100000 }, (_, i) => ({ i }));
globalThis.gc();
console.log('kept', keep.length);`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--expose-gc', '--trace-gc-verbose', '--input-type=module', '-e', script, ...percents.map(String)], { encoding: 'utf8' });
  t.match(out, /kept 100000/);
  return [...out.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)/g)].map((m) => Number(m[1]));
}

t.test('the factor applied is the one V8 sets the next limit with', async (t) => {
  const set = limitFactors(50);
  t.ok(set.length > 0, 'V8 set a limit after the GC');
  t.same([...new Set(set)], [1.5], '50 % gives a limit at 1.5 × the survivors');
  const own = limitFactors(0);
  t.ok(own.length > 0);
  t.notOk(own.includes(1.5), `0 leaves V8's own factor (${own.join(', ')})`);
  const reset = limitFactors(50, 0);
  t.ok(reset.length > 0);
  t.notOk(reset.includes(1.5), `0 after 50 gives V8 its choice back (${reset.join(', ')})`);
});

t.test('a bad percent is refused', async (t) => {
  t.throws(() => applyHeapGrowth(-1), RangeError);
  t.throws(() => applyHeapGrowth(2.5), RangeError);
});
