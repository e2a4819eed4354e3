import { bureauLevel, defaultParent, derivedPath, LEGACY_BUREAU_CODE, type EntitlementRef } from '@gongguan/domain';
import type { RowStore } from '../engine/row-store.js';
import type { Handlers } from '../projection.js';
import { table } from '../table.js';

/**
 * Bureaus in the read models (issue 18): every row that belongs to a bureau carries its
 * `bureau_code` and `bureau_path` (`330000.331000.331002`), and each projection that has such rows
 * folds the domain's bureau registry (stream `bureaus-registry`) into its own `bureaus` table, so
 * it can give a new row its path and move rows when a bureau is merged, in its own batches and
 * checkpoint (a rebuild of one projection then gives what the live projector gave). Codes the
 * registry never named have the path their code gives by default parents (the domain's
 * `derivedPath`; the legacy fallback): a store without a single registry event works.
 */

/** Names of the bureaus the contract names, for the fallback rows of codes never registered. */
const knownNames: Readonly<Record<string, string>> = { '330000': '浙江省科学技术厅', '331000': '台州市科学技术局' };

export interface BureauRow {
  code: string;
  name: string | null;
  level: string;
  parent_code: string | null;
  path: string;
  merged_into: string | null;
  /** false: a code some fact named that the registry has not registered (path derived from the code). */
  registered: boolean;
}

export const bureaus = table<BureauRow>({
  name: 'bureaus',
  key: 'code',
  scope: 'path',
  indexes: ['path text_pattern_ops'],
  columns: { code: 'text', name: 'text', level: 'text', parent_code: 'text', path: 'text', merged_into: 'text', registered: 'boolean' },
});

/** Who owns what, for projections that must find the bureau of a programme, project, disbursement or ledger named by a later event. */
export interface OwnerRow {
  /** `programme:<id>`, `project:<id>`, `disbursement:<id>` or `ledger:<stream>`. */
  owner: string;
  bureau_code: string;
}

export const owners = table<OwnerRow>({
  name: 'bureau_owners',
  key: 'owner',
  columns: { owner: 'text', bureau_code: 'text' },
});

export type OwnerKind = 'programme' | 'project' | 'disbursement' | 'ledger';

/**
 * The bureau row of `code`, making sure it (and its ancestors by default parents) exist: a code
 * never registered gets the path the domain derives from it (`derivedPath`, as
 * `BureauDirectory.pathOf` does), so `reporting.bureaus` holds every bureau some row names.
 */
export function ensureBureau(rows: RowStore, code: string): BureauRow {
  const existing = rows.get(bureaus, code);
  if (existing !== undefined) return existing;
  const parent = defaultParent(code);
  if (parent !== null) ensureBureau(rows, parent);
  const row: BureauRow = { code, name: knownNames[code] ?? null, level: bureauLevel(code), parent_code: parent, path: derivedPath(code), merged_into: null, registered: false };
  rows.put(bureaus, row);
  return row;
}

/** `bureau_code` and `bureau_path` of a new row that belongs to `code`. */
export function bureauOf(rows: RowStore, code: string): { bureau_code: string; bureau_path: string } {
  return { bureau_code: code, bureau_path: ensureBureau(rows, code).path };
}

export function ownerOf(rows: RowStore, kind: OwnerKind, id: string | null | undefined): string | undefined {
  return id === null || id === undefined ? undefined : rows.get(owners, `${kind}:${id}`)?.bureau_code;
}

export function setOwner(rows: RowStore, kind: OwnerKind, id: string, code: string): void {
  rows.put(owners, { owner: `${kind}:${id}`, bureau_code: code });
}

/**
 * The bureau of a disbursement: its project's (money follows its project), or, for one without a
 * project (R3), the bureau of the ledger whose entitlement it pays — the entitlement names it, and
 * names none for the legacy bureau (whose ledgers kept their stream names); a legacy (v1)
 * disbursement with neither is the legacy bureau's.
 */
export function disbursementBureau(rows: RowStore, projectId: string | undefined, entitlement: EntitlementRef | null): string {
  const ofProject = ownerOf(rows, 'project', projectId);
  if (ofProject !== undefined) return ofProject;
  return entitlement !== null && entitlement.rule !== 'R1' ? (entitlement.bureauCode ?? LEGACY_BUREAU_CODE) : LEGACY_BUREAU_CODE;
}

/**
 * The handlers every projection with bureau rows has (the owner tables aside): the domain's
 * registry folded into its `bureaus` table, and merges moving its rows.
 */
export const registryHandlers = {
  BureauRegistered: (rows, d) => {
    const before = rows.get(bureaus, d.code);
    rows.put(bureaus, { code: d.code, name: d.name, level: d.level, parent_code: d.parentCode, path: before?.path ?? d.path, merged_into: null, registered: true });
    // Rows that named the code before it was registered have its derived path; a registration under another parent moves them.
    if (before !== undefined && before.path !== d.path) rows.repath(before.path, d.path);
  },
  BureauRenamed: (rows, d) => {
    const before = ensureBureau(rows, d.code);
    rows.put(bureaus, { ...before, name: d.name });
  },
  BureauMerged: (rows, d) => {
    const before = ensureBureau(rows, d.code);
    rows.put(bureaus, { ...before, merged_into: d.into });
    // The merged bureau and everything under it (its rows, its descendants' rows) move under the survivor.
    rows.repath(before.path, d.path);
  },
} satisfies Handlers;
