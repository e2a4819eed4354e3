import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import commands from '../src/web/api/commands.json' with { type: 'json' };
import * as M from '../src/web/lib/messages.js';
import { repoRoot } from './support/system.js';

/** Every source file of the services and packages (not their tests). */
function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'test' || e.name === 'dist' || e.name === 'web') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function bothForms(t: Test, dict: Record<string, M.Text>, keys: Iterable<string>, what: string) {
  const missing = [...new Set(keys)].filter((k) => !dict[k]?.zh || !dict[k]?.en).sort();
  t.same(missing, [], `every ${what} has a Chinese and an English form`);
}

t.test('every problem code the API can answer has a sentence in Chinese and English', async (t) => {
  const codes = new Set<string>();
  for (const file of [...sources(join(repoRoot, 'packages')), ...sources(join(repoRoot, 'services'))]) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:domainError|appError|AppError)\(\s*'([A-Z][A-Z0-9_]+)'/g)) codes.add(m[1]!);
  }
  const catalogue = readFileSync(join(repoRoot, 'packages/platform/src/errors.ts'), 'utf8');
  for (const m of catalogue.matchAll(/^ {2}([A-Z][A-Z0-9_]+): \{ status: \d+/gm)) codes.add(m[1]!);
  t.ok(codes.size > 60, `${codes.size} codes found in the sources`);
  bothForms(t, M.problems, codes, 'problem code');
});

t.test('every command and every field of its form has both forms', async (t) => {
  const list = commands as Array<{ path: string; body: unknown }>;
  bothForms(t, M.commands, list.map((c) => c.path), 'command');
  const names = new Set<string>();
  const walk = (s: unknown) => {
    if (!s || typeof s !== 'object') return;
    const o = s as { properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[]; oneOf?: unknown[] };
    for (const [k, v] of Object.entries(o.properties ?? {})) {
      names.add(k);
      walk(v);
    }
    walk(o.items);
    for (const x of [...(o.anyOf ?? []), ...(o.oneOf ?? [])]) walk(x);
  };
  for (const c of list) walk(c.body);
  bothForms(t, M.fields, names, 'form field');
});

t.test('roles, stages and project statuses have both forms', async (t) => {
  const roles = readFileSync(join(repoRoot, 'packages/platform/src/auth/roles.ts'), 'utf8');
  const roleList = /export const roles = \[([^\]]+)\]/.exec(roles)![1]!.match(/'([a-z]+)'/g)!.map((s) => s.slice(1, -1));
  bothForms(t, M.roles, roleList, 'role');
  bothForms(t, M.stages, ['solicitation', 'advancement', 'promotion'], 'stage');
  const state = readFileSync(join(repoRoot, 'packages/domain/src/project/state.ts'), 'utf8');
  const statuses = /export type ProjectStatus =([^;]+);/.exec(state)![1]!.match(/'([a-z_]+)'/g)!.map((s) => s.slice(1, -1));
  t.ok(statuses.length >= 10, `${statuses.length} project statuses`);
  bothForms(t, M.statuses, statuses, 'project status');
});

t.test('every event type people see in a timeline has a label in both languages', async (t) => {
  const types = new Set<string>();
  for (const file of [...sources(join(repoRoot, 'packages/domain/src')), ...sources(join(repoRoot, 'services/lifecycle-api/src'))]) {
    for (const m of readFileSync(file, 'utf8').matchAll(/type: '([A-Z][A-Za-z0-9]+)'/g)) types.add(m[1]!);
  }
  // Command names (imperatives) share the pattern; the events are the facts, named in the past.
  const eventTypes = [...types].filter((x) => /(ed|Paid|Set|Received|Opened|Closed|Sealed)$/.test(x) || x.endsWith('Claimed'));
  t.ok(eventTypes.length > 60, `${eventTypes.length} event types found in the sources`);
  bothForms(t, M.events, eventTypes, 'event type');
});
