import { entryOf, withEntry, type Keyed } from '../values/keyed.js';
import { type BureauLevel, LEGACY_BUREAU_CODE, bureauLevel, derivedPath, isPathWithin } from './codes.js';
import type { BureauEvent } from './registry.js';

/** One registered bureau, as the registry's events leave it. */
export interface BureauEntry {
  readonly code: string;
  readonly name: string;
  readonly level: BureauLevel;
  /** The parent it was registered under (null for a province); unchanged by a merge. */
  readonly parentCode: string | null;
  /** From the province down, joined by '.'; after a merge, under the survivor. */
  readonly path: string;
  readonly mergedInto: string | null;
  readonly registeredOn: string;
}

/** The registry's state: every registered bureau by code, in registration order. */
export interface BureauRegistryState {
  readonly bureaus: Keyed<BureauEntry>;
}

/** What is known of a bureau, registered or not (an unregistered code: its derived path, no name). */
export interface BureauView {
  readonly code: string;
  readonly name: string | null;
  readonly level: BureauLevel;
  readonly parentCode: string | null;
  readonly path: string;
  readonly mergedInto: string | null;
  readonly registered: boolean;
}

/**
 * The registry folded: where each bureau sits, what it is called, whether it was merged. Pure:
 * build it from the registry's state (or fold the events with `BureauDirectory.evolve`).
 *
 * A code the registry does not know keeps the path derived from the code alone
 * (`derivedPath`), so facts recorded before bureaus existed (all of `LEGACY_BUREAU_CODE`) and a
 * fresh store with no registry events are placed exactly as they will be once registered.
 */
export class BureauDirectory {
  static readonly empty: BureauRegistryState = { bureaus: {} };

  static evolve(state: BureauRegistryState, event: BureauEvent): BureauRegistryState {
    switch (event.type) {
      case 'BureauRegistered': {
        const { code, name, level, parentCode, path, registeredOn } = event.data;
        return { bureaus: withEntry(state.bureaus, code, { code, name, level, parentCode, path, mergedInto: null, registeredOn }) };
      }
      case 'BureauRenamed': {
        const entry = entryOf(state.bureaus, event.data.code);
        return entry === undefined ? state : { bureaus: withEntry(state.bureaus, entry.code, { ...entry, name: event.data.name }) };
      }
      case 'BureauMerged': {
        const entry = entryOf(state.bureaus, event.data.code);
        return entry === undefined ? state : { bureaus: withEntry(state.bureaus, entry.code, { ...entry, mergedInto: event.data.into, path: event.data.path }) };
      }
      default: {
        const never: never = event;
        throw new Error(`unhandled bureau event ${JSON.stringify(never)}`);
      }
    }
  }

  static fromEvents(events: readonly BureauEvent[]): BureauDirectory {
    return new BureauDirectory(events.reduce(BureauDirectory.evolve, BureauDirectory.empty));
  }

  constructor(readonly state: BureauRegistryState = BureauDirectory.empty) {}

  /** The registered bureau, if any. */
  entry(code: string): BureauEntry | undefined {
    return entryOf(this.state.bureaus, code);
  }

  isRegistered(code: string): boolean {
    return this.entry(code) !== undefined;
  }

  /** The registered path, or the path derived from the code when the registry does not know it. */
  pathOf(code: string): string {
    return this.entry(code)?.path ?? derivedPath(code);
  }

  /** Whether bureau `code` lies within the scope of bureau `scopeCode` (itself included). */
  isWithin(code: string, scopeCode: string): boolean {
    return isPathWithin(this.pathOf(code), this.pathOf(scopeCode));
  }

  /** The registered name (the current one after a rename); undefined for a code never registered. */
  nameOf(code: string): string | undefined {
    return this.entry(code)?.name;
  }

  isMerged(code: string): boolean {
    return (this.entry(code)?.mergedInto ?? null) !== null;
  }

  /**
   * Whether a bureau may be the bureau of a new command: registered and not merged, or the legacy
   * bureau (which owns every fact from before the registry, registered or not).
   */
  canAct(code: string): boolean {
    const entry = this.entry(code);
    return entry === undefined ? code === LEGACY_BUREAU_CODE : entry.mergedInto === null;
  }

  /** The codes registered directly under `code` or merged into it. */
  childrenOf(code: string): string[] {
    return this.all()
      .filter((e) => (e.mergedInto === null ? e.parentCode === code : e.mergedInto === code))
      .map((e) => e.code);
  }

  /** Every registered bureau, in registration order. */
  all(): BureauEntry[] {
    return Object.values(this.state.bureaus);
  }

  /** What is known of a code: its registration, or its derived place. */
  view(code: string): BureauView {
    const entry = this.entry(code);
    if (entry !== undefined) return { ...entry, registered: true };
    const path = derivedPath(code);
    const parts = path.split('.');
    return { code, name: null, level: bureauLevel(code), parentCode: parts.length > 1 ? parts[parts.length - 2]! : null, path, mergedInto: null, registered: false };
  }

  /**
   * Every bureau within the scope of `scopeCode` (the scope first, then the registered ones under it
   * by path): the scope itself is included even when it is not registered (the legacy bureau).
   */
  within(scopeCode: string): BureauView[] {
    const scope = this.view(scopeCode);
    const under = this.all()
      .filter((e) => e.code !== scopeCode && isPathWithin(e.path, scope.path))
      .map((e): BureauView => ({ ...e, registered: true }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return [scope, ...under];
  }
}
