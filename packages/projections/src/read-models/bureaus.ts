import type { RecordedEvent } from '@gongguan/event-store';
import { z } from 'zod';
import type { RowStore } from '../engine/row-store.js';
import { table } from '../table.js';

/**
 * Bureaus in the read models (issue 18): every row that belongs to a bureau carries its
 * `bureau_code` and `bureau_path` (`330000.331000.331002`), and each projection that has such rows
 * folds the registry (stream `bureaus`) into its own `bureaus` table, so it can give a new row its
 * path and move rows when a bureau is merged, in its own batches and checkpoint (a rebuild of one
 * projection then gives what the live projector gave). Codes the registry never named have the
 * path their code gives (the legacy fallback): a store without a single registry event works.
 */

/** The bureau of every fact recorded before bureaus existed (台州市科学技术局), as in the domain. */
export const LEGACY_BUREAU_CODE = '331000';

const CODE = /^[1-9][0-9]{5}$/;

export type BureauLevel = 'province' | 'city' | 'county';

export function bureauLevel(code: string): BureauLevel {
  if (code.slice(2) === '0000') return 'province';
  if (code.slice(4) === '00') return 'city';
  return 'county';
}

export function defaultParent(code: string): string | null {
  const level = bureauLevel(code);
  return level === 'province' ? null : level === 'city' ? `${code.slice(0, 2)}0000` : `${code.slice(0, 4)}00`;
}

/** The path of a code from the code alone, by its default parents (the legacy fallback). */
export function derivedPath(code: string): string {
  const parent = defaultParent(code);
  return parent === null ? code : `${derivedPath(parent)}.${code}`;
}

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

/** Who owns what, for projections that must find the bureau of a programme, project or disbursement named by a later event. */
export interface OwnerRow {
  /** `programme:<id>`, `project:<id>` or `disbursement:<id>`. */
  owner: string;
  bureau_code: string;
}

export const owners = table<OwnerRow>({
  name: 'bureau_owners',
  key: 'owner',
  columns: { owner: 'text', bureau_code: 'text' },
});

/** A usable bureau code from an event's data, or undefined. */
export function codeIn(value: unknown): string | undefined {
  return typeof value === 'string' && CODE.test(value) ? value : undefined;
}

/**
 * The bureau row of `code`, making sure it (and its ancestors by default parents) exist: a code
 * never registered gets its derived path, so `reporting.bureaus` holds every bureau some row names.
 */
export function ensureBureau(rows: RowStore, code: string): BureauRow {
  const existing = rows.get(bureaus, code);
  if (existing !== undefined) return existing;
  const parent = defaultParent(code);
  const parentRow = parent === null ? undefined : ensureBureau(rows, parent);
  const row: BureauRow = {
    code,
    name: knownNames[code] ?? null,
    level: bureauLevel(code),
    parent_code: parent,
    path: parentRow === undefined ? code : `${parentRow.path}.${code}`,
    merged_into: null,
    registered: false,
  };
  rows.put(bureaus, row);
  return row;
}

/** `bureau_code` and `bureau_path` of a new row that belongs to `code`. */
export function bureauOf(rows: RowStore, code: string): { bureau_code: string; bureau_path: string } {
  return { bureau_code: code, bureau_path: ensureBureau(rows, code).path };
}

export function ownerOf(rows: RowStore, kind: 'programme' | 'project' | 'disbursement', id: string | null | undefined): string | undefined {
  return id === null || id === undefined ? undefined : rows.get(owners, `${kind}:${id}`)?.bureau_code;
}

export function setOwner(rows: RowStore, kind: 'programme' | 'project' | 'disbursement', id: string, code: string): void {
  rows.put(owners, { owner: `${kind}:${id}`, bureau_code: code });
}

/**
 * The bureau of an R2/R3 ledger stream: `subsidy-<credit>-<year>` / `r3-<credit>-<year>` are the
 * legacy bureau's (their names did not change); every other bureau's are
 * `subsidy-<bureau>-<credit>-<year>` (see the contract).
 */
export function ledgerBureau(stream: string, data: object): string {
  const fromData = codeIn((data as { bureauCode?: unknown }).bureauCode);
  if (fromData !== undefined) return fromData;
  const rest = stream.replace(/^(subsidy|r3)-/, '');
  const parts = rest.split('-');
  return parts.length >= 3 && CODE.test(parts[0] ?? '') ? (parts[0] as string) : LEGACY_BUREAU_CODE;
}

// ---- the registry's events (stream `bureaus`), as the contract gives them ----

/** The registry's stream in the read models' tests (`bureaus` in the contract; the event store wants `<category>-<id>`). */
export const REGISTRY_STREAM = 'bureaus-registry';

const Code = z.string().regex(CODE);
/** The registry's event data, as far as the read models need it (the domain validates the rest). */
export const registryEventSchemas = {
  BureauRegistered: z.looseObject({ code: Code, name: z.string(), level: z.enum(['province', 'city', 'county']), parentCode: Code.nullable(), path: z.string().min(6) }),
  BureauRenamed: z.looseObject({ code: Code, name: z.string() }),
  BureauMerged: z.looseObject({ code: Code, into: Code, path: z.string().min(6) }),
} as const;

export type RegistryEventType = keyof typeof registryEventSchemas;
export type RegistryData<T extends RegistryEventType> = z.infer<(typeof registryEventSchemas)[T]>;

export function isRegistryEventType(type: string): type is RegistryEventType {
  return Object.hasOwn(registryEventSchemas, type);
}

/** The handlers every projection with bureau rows has: the registry folded into its `bureaus` table, and merges moving its rows. */
export const registryHandlers: { [T in RegistryEventType]: (rows: RowStore, data: RegistryData<T>, event: RecordedEvent) => void } = {
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
};
