import type { Sql } from '@gongguan/platform/db';

/** The same Sql, counting the statements sent whose text `counts` picks out. */
export function countStatements(sql: Sql, counts: (text: string) => boolean): { sql: Sql; count: () => number } {
  let count = 0;
  const query: Sql['query'] = (text, params, options) => {
    if (counts(text)) count++;
    return sql.query(text, params, options);
  };
  return { sql: { ...sql, kind: sql.kind, query }, count: () => count };
}
