import fc from 'fast-check';
import t from 'tap';
import { BureauCode, derivedPath } from '@gongguan/domain';
import { databases } from './helpers.js';

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);

/** Codes of every level (a province's, a city's, a county's) and strings that are not codes at all. */
const code = fc.oneof(
  fc.integer({ min: 11, max: 99 }).map((p) => `${p}0000`),
  fc.tuple(fc.integer({ min: 11, max: 99 }), fc.integer({ min: 1, max: 99 })).map(([p, c]) => `${p}${String(c).padStart(2, '0')}00`),
  fc.integer({ min: 100_000, max: 999_999 }).map(String),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('012345', '33100', '3310000', ' 331000', '331000\n', '３３１０００'),
);

for (const target of targets) {
  t.test('reporting.derived_path gives every string the path the domain derives (null where the domain has no code)', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(code, { minLength: 1, maxLength: 50 }), async (codes) => {
        const { rows } = await h.sql.query<{ code: string; path: string | null }>(
          'select c as code, reporting.derived_path(c) as path from unnest($1::text[]) as c',
          [codes],
        );
        tried += codes.length;
        return rows.every((r) => r.path === (BureauCode.safeParse(r.code).success ? derivedPath(r.code) : null));
      }),
      { numRuns: 150, seed: 20181018 },
    );
    t.ok(tried > 500, `${tried} strings compared`);
  });
}
