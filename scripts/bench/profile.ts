/**
 * `tsx scripts/bench/profile.ts <file.cpuprofile> [top]`: the top frames of a V8 CPU profile
 * (`node --cpu-prof`) by self time and by total (inclusive) time, and self time by package.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface Frame {
  frame: string;
  selfPct: number;
  totalPct: number;
}

/** `function file:line` of a profile node (CPU or sampling heap), with paths inside this repository or a dependency made short. */
export function label(node: Pick<Node, 'callFrame'>): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/^.*\/(packages|services|scripts)\//, '$1/');
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
}

/** The dependency, workspace package or Node core a profile node's code belongs to. */
export function packageOf(node: Pick<Node, 'callFrame'>): string {
  const url = node.callFrame.url;
  if (!url) return node.callFrame.functionName || '(native)';
  const dep = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return dep[1]!;
  const own = /\/((?:packages|services|scripts)\/[^/]+)\//.exec(url);
  if (own) return own[1]!;
  if (url.startsWith('node:')) return 'node (core)';
  return url;
}

/** Named parts of a command's work: inclusive time of frames whose function (and file) match. */
const COMPONENTS: Array<{ name: string; fn: string; file?: string }> = [
  { name: 'JWT signature check (jose `verifySignature`, EdDSA through WebCrypto)', fn: 'verifySignature' },
  { name: '`parseCommand` (domain, zod)', fn: 'parseCommand' },
  { name: '`loadAggregate` (readStream rows → `parseEvent` → `evolve`)', fn: 'loadAggregate' },
  { name: '  of which `parseEvent` (upcast + zod per stored event)', fn: 'parseEvent' },
  { name: 'zod JIT compilation (`generateFastpass`)', fn: 'generateFastpass' },
  { name: '`pg` query writes to the socket (`writev`)', fn: 'writev' },
  { name: 'garbage collector', fn: '(garbage collector)' },
  { name: 'idle (waiting for I/O)', fn: '(idle)' },
];

export function analyse(path: string, top = 25): { frames: Frame[]; byTotal: Frame[]; packages: Array<{ name: string; selfPct: number }>; idlePct: number; components: Array<{ name: string; totalPct: number }> } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const selfByLabel = new Map<string, number>();
  const totalByLabel = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const byComponent = new Map<string, number>();
  let idle = 0;
  for (const [id, t] of self) {
    const node = byId.get(id)!;
    const l = label(node);
    if (node.callFrame.functionName === '(idle)') idle += t;
    selfByLabel.set(l, (selfByLabel.get(l) ?? 0) + t);
    byPackage.set(packageOf(node), (byPackage.get(packageOf(node)) ?? 0) + t);
    // Inclusive time: count each distinct label (and component) once per sample stack.
    const seen = new Set<string>();
    const seenComponents = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!;
      for (const c of COMPONENTS) {
        if (!seenComponents.has(c.name) && frame.callFrame.functionName === c.fn && (!c.file || frame.callFrame.url.includes(c.file))) {
          seenComponents.add(c.name);
          byComponent.set(c.name, (byComponent.get(c.name) ?? 0) + t);
        }
      }
      const cl = label(frame);
      if (seen.has(cl)) continue;
      seen.add(cl);
      totalByLabel.set(cl, (totalByLabel.get(cl) ?? 0) + t);
    }
  }
  const pct = (t: number) => Number(((100 * t) / total).toFixed(1));
  const frames = [...selfByLabel].sort((a, b) => b[1] - a[1]).slice(0, top).map(([frame, t]) => ({ frame, selfPct: pct(t), totalPct: pct(totalByLabel.get(frame) ?? 0) }));
  const byTotal = [...totalByLabel].filter(([l]) => !l.startsWith('(root)')).sort((a, b) => b[1] - a[1]).slice(0, top).map(([frame, t]) => ({ frame, selfPct: pct(selfByLabel.get(frame) ?? 0), totalPct: pct(t) }));
  const packages = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([name, t]) => ({ name, selfPct: pct(t) }));
  const components = COMPONENTS.map((c) => ({ name: c.name, totalPct: pct(byComponent.get(c.name) ?? 0) }));
  return { frames, byTotal, packages, idlePct: pct(idle), components };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx scripts/bench/profile.ts <file.cpuprofile> [top]');
    process.exit(64);
  }
  const result = analyse(file, Number(process.argv[3] ?? 25));
  console.log(`idle ${result.idlePct}%\n\nparts of the work (inclusive):`);
  for (const c of result.components) console.log(`${String(c.totalPct).padStart(6)}%  ${c.name}`);
  console.log('\nself time by package:');
  for (const p of result.packages) console.log(`${String(p.selfPct).padStart(6)}%  ${p.name}`);
  console.log('\ntop frames by self time (self / total):');
  for (const f of result.frames) console.log(`${String(f.selfPct).padStart(6)}% ${String(f.totalPct).padStart(6)}%  ${f.frame}`);
  console.log('\ntop frames by total time (self / total):');
  for (const f of result.byTotal) console.log(`${String(f.selfPct).padStart(6)}% ${String(f.totalPct).padStart(6)}%  ${f.frame}`);
}
