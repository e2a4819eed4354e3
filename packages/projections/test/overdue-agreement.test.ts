import t from 'tap';
import fc from 'fast-check';
import { addDays, dueItems, type ProjectState } from '@gongguan/domain';
import type { Sql } from '@gongguan/platform/db';
import { databases, projectToHead } from './helpers.js';
import { historyArb, newWorld, writeHistory } from './overdue-history.js';

/**
 * One definition of "due" and "overdue": `reporting.due_items_as_of(day)` in SQL and
 * `dueItems(state, day)` in the domain agree for random project histories (milestones reported,
 * accepted and returned on random days, rectifications, extensions, stage moves, acceptance,
 * suspension, termination, closing), on every day around each date the history holds, and the
 * views that count or flag overdue items (`projects_as_of`, `milestones_as_of`,
 * `rectifications_as_of`) say the same.
 */
const numRuns = Number(process.env.OVERDUE_RUNS ?? 50);

interface Item {
  day: string;
  kind: string;
  item_id: string;
  due_on: string;
  overdue: boolean;
  days_until_due: number;
}

const line = (i: Item) => `${i.day} ${i.kind}:${i.item_id} due ${i.due_on} ${i.overdue ? 'OVERDUE' : 'open'} ${i.days_until_due}`;

function expected(state: ProjectState, days: readonly string[]): Item[] {
  return days.flatMap((day) =>
    dueItems(state, day).map((i) => ({ day, kind: i.kind, item_id: i.itemId, due_on: i.dueOn, overdue: i.overdue, days_until_due: i.daysUntilDue })),
  );
}

async function rows<T>(sql: Sql, text: string, params: unknown[]): Promise<T[]> {
  const result = await sql.query<{ j: string }>(`select row_to_json(x)::text as j from (${text}) x`, params);
  return result.rows.map((r) => JSON.parse(r.j) as T);
}

/** What the views say on each day, as the domain would say it. */
async function fromViews(sql: Sql, projectId: string, days: readonly string[]) {
  const items = await rows<Item>(
    sql,
    `select d::text as day, i.kind, i.item_id, i.due_on, i.overdue, i.days_until_due
       from unnest($1::date[]) d cross join lateral reporting.due_items_as_of(d) i where i.project_id = $2`,
    [days, projectId],
  );
  const flagged = await rows<{ day: string; key: string }>(
    sql,
    `select d::text as day, 'milestone:' || m.milestone_id as key from unnest($1::date[]) d cross join lateral reporting.milestones_as_of(d) m
      where m.project_id = $2 and m.overdue
     union all
     select d::text, 'rectification:' || r.rectification_id from unnest($1::date[]) d cross join lateral reporting.rectifications_as_of(d) r
      where r.project_id = $2 and r.overdue`,
    [days, projectId],
  );
  const counts = await rows<{ day: string; milestones_overdue: number; milestones_due_30d: number; rectifications_overdue: number; acceptance_overdue: boolean }>(
    sql,
    `select d::text as day, p.milestones_overdue, p.milestones_due_30d, p.rectifications_overdue, p.acceptance_overdue
       from unnest($1::date[]) d cross join lateral reporting.projects_as_of(d) p where p.project_id = $2`,
    [days, projectId],
  );
  return { items, flagged, counts };
}

/** Waits until every projection has applied `position` (the last written), and fails if one stopped instead. */
async function caughtUp(sql: Sql, position: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    const { rows } = await sql.query<{ name: string; status: string; position: string }>(`select name, status, position from projector.projections`);
    const stopped = rows.find((r) => r.status !== 'live');
    if (stopped !== undefined) throw new Error(`projection ${stopped.name} is ${stopped.status}`);
    if (rows.every((r) => r.position >= position)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the projections did not reach ${position}`);
}

function daysAround(dates: readonly string[]): string[] {
  const days = new Set<string>();
  for (const date of dates) for (const k of [-1, 0, 1]) days.add(addDays(date, k));
  return [...days].sort();
}

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);
for (const target of targets) {
  t.test('due_items_as_of and the views agree with the domain on every day of random histories', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    const projector = await projectToHead(h);
    t.teardown(() => projector.stop());
    let n = 0;
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(historyArb, async (history) => {
        n += 1;
        const w = newWorld(n * 7919);
        const { projectId, state, dates } = writeHistory(w, n, history);
        for (const a of w.flush()) await h.store.append(a.stream, a.events, { expectedRevision: a.expectedRevision });
        await caughtUp(h.sql, await h.store.lastPosition());
        const days = daysAround(dates);
        const want = expected(state, days);
        const got = await fromViews(h.sql, projectId, days);
        const sort = (items: Item[]) => items.map(line).sort();
        if (JSON.stringify(sort(got.items)) !== JSON.stringify(sort(want))) {
          throw new Error(`due_items_as_of disagrees with dueItems for ${projectId}:\nSQL:\n${sort(got.items).join('\n')}\ndomain:\n${sort(want).join('\n')}`);
        }
        const wantFlagged = want.filter((i) => i.overdue && i.kind !== 'acceptance').map((i) => `${i.day} ${i.kind}:${i.item_id}`).sort();
        const gotFlagged = got.flagged.map((f) => `${f.day} ${f.key}`).sort();
        if (JSON.stringify(gotFlagged) !== JSON.stringify(wantFlagged)) {
          throw new Error(`milestones_as_of/rectifications_as_of flag other items:\n${gotFlagged.join('\n')}\nvs\n${wantFlagged.join('\n')}`);
        }
        for (const c of got.counts) {
          const on = want.filter((i) => i.day === c.day);
          const count = (kind: string, overdue: boolean, within = Infinity) => on.filter((i) => i.kind === kind && i.overdue === overdue && i.days_until_due < within).length;
          const wantCounts = {
            milestones_overdue: count('milestone', true),
            milestones_due_30d: count('milestone', false, 30),
            rectifications_overdue: count('rectification', true),
            acceptance_overdue: count('acceptance', true) > 0,
          };
          const gotCounts = { milestones_overdue: c.milestones_overdue, milestones_due_30d: c.milestones_due_30d, rectifications_overdue: c.rectifications_overdue, acceptance_overdue: c.acceptance_overdue };
          if (JSON.stringify(gotCounts) !== JSON.stringify(wantCounts)) {
            throw new Error(`projects_as_of(${c.day}) for ${projectId}: ${JSON.stringify(gotCounts)}, the domain says ${JSON.stringify(wantCounts)}`);
          }
        }
        checked += days.length;
      }),
      { numRuns, ...(process.env.OVERDUE_SEED ? { seed: Number(process.env.OVERDUE_SEED), path: process.env.OVERDUE_PATH } : {}) },
    );
    t.ok(checked > numRuns, `${numRuns} histories, ${checked} days compared`);
  });
}
