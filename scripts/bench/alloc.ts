/**
 * `pnpm bench:alloc`: where the lifecycle API's memory goes per command. The server (as in
 * `bench:http`, on PostgreSQL) takes a closed loop of 16 clients lodging objections; over the
 * measured stretch V8's sampling heap profiler records every allocation, collected or not, and
 * this prints bytes allocated per command by package and by function (self, and inclusive of what
 * it calls). Allocation rate decides how often the young generation is collected and how much
 * incremental marking the main thread does during a major GC, so it is a cause of tail latency
 * that a CPU profile does not show.
 *
 * ALLOC_KEEP=promoted counts only what outlived the minor GCs (it reached the old generation, to be
 * collected by a major GC: how often those come), not everything allocated.
 *
 * BENCH_PROJECTS (default 256), ALLOC_SECONDS (default 6), ALLOC_TOP (default 30); the profile
 * file is kept in the temp dir and its path printed.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closedLoop, type Target } from './load.js';
import { label, packageOf } from './profile.js';
import { cast, createStorage, OBJECTION, projectsInPublicity, startServer } from './system.js';

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 256);
const SECONDS = Number(process.env.ALLOC_SECONDS ?? 6);
const TOP = Number(process.env.ALLOC_TOP ?? 30);
const CLIENTS = 16;
const KEEP = process.env.ALLOC_KEEP === 'promoted' ? 'promoted' : 'alloc';

/** Bytes by function (self and inclusive) and by package (self), from a sampling heap profile's tree. */
export function allocations(head: HeapNode): { total: number; self: Map<string, number>; inclusive: Map<string, number>; packages: Map<string, number> } {
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const packages = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  let total = 0;
  // Inclusive bytes: a node's subtree, counted once per label on a path (recursion is not doubled).
  const walk = (node: HeapNode, onPath: ReadonlySet<string>): number => {
    const l = label(node);
    const inner = new Set(onPath).add(l);
    let sum = node.selfSize;
    for (const child of node.children) sum += walk(child, inner);
    total += node.selfSize;
    add(self, l, node.selfSize);
    add(packages, packageOf(node), node.selfSize);
    if (!onPath.has(l)) add(inclusive, l, sum);
    return sum;
  };
  walk(head, new Set());
  return { total, self, inclusive, packages };
}

async function main(): Promise<void> {
  const storage = await createStorage('postgres');
  try {
    const server = await startServer(storage);
    const people = await cast(server);
    const ids = await projectsInPublicity(server, people, 'tz-alloc', PROJECTS, 16);
    const tokens = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => server.token('officer', `officer-${i + 1}`)));
    let next = 0;
    const target = (c: number): Target => ({ method: 'POST', path: `/v1/projects/${ids[next++ % ids.length]!}/objections`, token: tokens[c % tokens.length]!, body: OBJECTION });
    process.stderr.write(`warm-up: ${CLIENTS} clients, 3 s\n`);
    await closedLoop(server.url, CLIENTS, 3_000, target);
    const file = join(tmpdir(), `gongguan-bench-alloc-${Date.now()}.heapprofile`);
    await server.startProfile(KEEP);
    const run = await closedLoop(server.url, CLIENTS, SECONDS * 1000, target);
    await server.stopProfile(file);
    await server.close();
    const { total, self, inclusive, packages } = allocations((JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode }).head);
    const perCommand = (bytes: number) => (bytes / run.ok / 1024).toFixed(2).padStart(7);
    console.log(`${run.ok} commands (${Math.round(run.perSecond)}/s under the profiler), ${(total / run.ok / 1024).toFixed(1)} KB ${KEEP === 'alloc' ? 'allocated' : 'outlived minor GCs'} per command (sampled every 4 KB); profile: ${file}\n`);
    console.log('KB per command by package (self):');
    for (const [name, bytes] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${perCommand(bytes)}  ${name}`);
    console.log('\nKB per command by function, self:');
    for (const [name, bytes] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${perCommand(bytes)}  ${name}`);
    console.log('\nKB per command by function, inclusive:');
    for (const [name, bytes] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, TOP)) console.log(`${perCommand(bytes)}  ${name}`);
  } finally {
    await storage.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
