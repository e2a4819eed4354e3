/**
 * TEMPORARY — the pure helpers of BUREAU-CONTRACT.md that `@gongguan/domain` does not export yet
 * (branch bureau-domain). Same names and meaning as the domain's; when it lands this file is
 * deleted and every import points at `@gongguan/domain`. Nothing here is audit logic.
 */
import { LEGACY_BUREAU_CODE } from '@gongguan/platform';

export { LEGACY_BUREAU_CODE };

export const BUREAU_REGISTRY_STREAM = 'bureaus';

function defaultParent(code: string): string | null {
  if (code.slice(2) === '0000') return null;
  if (code.slice(4) === '00') return `${code.slice(0, 2)}0000`;
  return `${code.slice(0, 4)}00`;
}

export function derivedPath(code: string): string {
  const parent = defaultParent(code);
  return parent === null ? code : `${derivedPath(parent)}.${code}`;
}

export function isPathWithin(path: string, scopePath: string): boolean {
  return path === scopePath || path.startsWith(`${scopePath}.`);
}

export function r2LedgerStream(bureauCode: string, creditCode: string, year: number): string {
  return bureauCode === LEGACY_BUREAU_CODE ? `subsidy-${creditCode}-${year}` : `subsidy-${bureauCode}-${creditCode}-${year}`;
}

interface Entry {
  code: string;
  path: string;
}
export interface BureauRegistryState {
  readonly bureaus: Readonly<Record<string, Entry>>;
}
export type BureauEvent = { type: string; data: Record<string, unknown> };

export class BureauDirectory {
  static readonly empty: BureauRegistryState = { bureaus: {} };

  static evolve(state: BureauRegistryState, event: BureauEvent): BureauRegistryState {
    const { code, path } = event.data;
    if (typeof code !== 'string' || typeof path !== 'string') return state;
    if (event.type === 'BureauRegistered' || (event.type === 'BureauMerged' && Object.hasOwn(state.bureaus, code))) {
      return { bureaus: { ...state.bureaus, [code]: { code, path } } };
    }
    return state;
  }

  constructor(readonly state: BureauRegistryState = BureauDirectory.empty) {}

  pathOf(code: string): string {
    return (Object.hasOwn(this.state.bureaus, code) ? this.state.bureaus[code]?.path : undefined) ?? derivedPath(code);
  }

  isWithin(code: string, scopeCode: string): boolean {
    return isPathWithin(this.pathOf(code), this.pathOf(scopeCode));
  }
}
