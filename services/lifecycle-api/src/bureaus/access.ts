import {
  BureauDirectory,
  bureauLevel,
  bureauRegistry,
  disbursement,
  domainError,
  LEGACY_BUREAU_CODE,
  programme,
  project,
  bankReference,
  type BureauRegistryState,
  type CommandType,
  type DisbursementState,
  type ProgrammeState,
  type ProjectState,
} from '@gongguan/domain';
import type { EventStore } from '@gongguan/event-store';
import { appError, type Principal } from '@gongguan/platform';
import type { AggregateCache } from '../commands/aggregate-cache.js';
import { loadAggregate } from '../commands/load.js';

/**
 * The caller's bureau: the token's `bureau` claim (the platform gives a token without one the
 * default bureau outside production, and refuses it in production). The one place a request's
 * bureau is read.
 */
export function callerBureau(principal: Principal): string {
  return principal.bureau;
}

/**
 * The bureau of a process of the service itself (the R2 re-driver): it never passes a bureau check,
 * and acts only on what a request of the resource's own bureau started (an assessment follows the
 * project's bureau).
 */
export const SYSTEM_BUREAU = 'system';

/**
 * A resource a request names, whose bureau decides who may command or read it. `notFound` is the
 * answer the route gives for an id that does not exist, and so also for one outside the caller's
 * reach (the same body: ids do not leak).
 */
export type ResourceRef =
  | { kind: 'programme'; id: string; notFound?: () => Error }
  | { kind: 'project'; id: string; notFound?: () => Error }
  | { kind: 'disbursement'; id: string; notFound?: () => Error }
  | { kind: 'bankReference'; reference: string; notFound?: () => Error }
  /** A resource whose bureau is known from the request itself (a ledger named with its bureau). */
  | { kind: 'bureau'; code: string; notFound?: () => Error };

/** Whose a resource is. */
export interface Owner {
  readonly bureauCode: string;
  /** A project's county bureau (the one that may recommend it), if the proposal named it. */
  readonly countyCode: string | null;
  /** A project's county by name (for a proposal that named no county bureau). */
  readonly county: string | null;
}

const defaultNotFound: Record<ResourceRef['kind'], (ref: ResourceRef) => Error> = {
  programme: () => domainError('PROGRAMME_NOT_FOUND', 'this programme has not been launched'),
  project: () => domainError('PROJECT_NOT_FOUND', 'this project has not been submitted'),
  disbursement: () => domainError('DISBURSEMENT_NOT_FOUND', 'this disbursement has not been requested'),
  bankReference: (ref) => appError('NOT_FOUND', `${bankReference.streamName((ref as { reference: string }).reference)} does not exist`),
  bureau: (ref) => appError('NOT_FOUND', `bureau ${(ref as { code: string }).code} does not exist`),
};

export function notFoundOf(ref: ResourceRef): Error {
  return ref.notFound?.() ?? defaultNotFound[ref.kind](ref);
}

/**
 * How old a copy of the bureau registry may be when it lets a command or a read through
 * (`BureauAccess`): a merger or a registration made by another process takes effect there within
 * this time. Refusals always look at the registry as it stands.
 */
export const REGISTRY_MAX_AGE_MS = 250;

export interface BureauAccessOptions {
  /** Default `REGISTRY_MAX_AGE_MS`; 0 reads the registry for every check. */
  maxAgeMs?: number;
  /** Monotonic milliseconds (tests inject it). */
  now?: () => number;
}

interface RegistrySnapshot {
  directory: BureauDirectory;
  state: BureauRegistryState;
  /** When the read that gave it started (`now()`). */
  readAt: number;
}

const forbidden = (owner: string, caller: string) =>
  domainError('BUREAU_FORBIDDEN', `只能在本单位内操作：此事项属于 ${owner}，您的单位是 ${caller} (you may only act within your own bureau)`, { bureau: owner, callerBureau: caller });

/**
 * Who may do what, where (issue 18): every command and every read of the lifecycle API asks here,
 * with the resource named by the request.
 *
 * - A command acts only inside the caller's own bureau: a resource of a bureau below the caller's
 *   (which it can read) is 403 BUREAU_FORBIDDEN; one outside its subtree is 404 with the body of a
 *   missing id. Exception: a county bureau's officer recommends (RecommendProject) a project of its
 *   county — `countyCode` the caller's bureau, or, without one, the county named as the caller's
 *   registered name — in a programme of a bureau above it.
 * - A merged bureau is the bureau of no new command (403 BUREAU_MERGED); a programme is launched
 *   by a registered bureau or the legacy one (403 BUREAU_NOT_REGISTERED).
 * - A read sees the caller's bureau and those below it; anything else is 404.
 */
export class BureauAccess {
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #recent: RegistrySnapshot | undefined;
  #reading: Promise<RegistrySnapshot> | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly cache?: AggregateCache,
    options: BureauAccessOptions = {},
  ) {
    this.#maxAgeMs = options.maxAgeMs ?? REGISTRY_MAX_AGE_MS;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The registry as it stands now (read past the cache: another process may have registered a bureau). */
  async directory(): Promise<BureauDirectory> {
    return (await this.#read()).directory;
  }

  async #read(): Promise<RegistrySnapshot> {
    const startedAt = this.#now();
    const loaded = await loadAggregate(this.store, bureauRegistry, bureauRegistry.streamName(), { cache: this.cache });
    const snapshot: RegistrySnapshot = { directory: new BureauDirectory(loaded.state as BureauRegistryState), state: loaded.state as BureauRegistryState, readAt: startedAt };
    if (this.#recent === undefined || this.#recent.readAt <= startedAt) this.#recent = snapshot;
    return snapshot;
  }

  /**
   * The registry for a check that lets a request through: read at most `maxAgeMs` ago (one read
   * shared by the requests that ask meanwhile), or newer where this process has itself appended
   * to the registry since (the aggregate cache holds what its commands wrote). Every command asks;
   * the registry changes a few times a year. A refusal is never decided on it (see `#checked`).
   */
  async #recentDirectory(): Promise<RegistrySnapshot> {
    const recent = this.#recent;
    if (recent === undefined || this.#now() - recent.readAt >= this.#maxAgeMs) {
      this.#reading ??= this.#read().finally(() => {
        this.#reading = undefined;
      });
      return this.#reading;
    }
    const written = this.cache?.peek(bureauRegistry.streamName());
    if (written !== undefined && written.state !== recent.state) {
      const state = written.state as BureauRegistryState;
      this.#recent = { directory: new BureauDirectory(state), state, readAt: recent.readAt };
      return this.#recent;
    }
    return recent;
  }

  /**
   * Runs `check` on the recent registry; if it refuses, once more on the registry read now, so a
   * bureau registered (or a merger undone) by another process a moment ago is never refused. Only
   * a check that lets the request through can have used a copy up to `maxAgeMs` old.
   */
  async #checked<T>(check: (directory: BureauDirectory) => Promise<T>): Promise<T> {
    const recent = await this.#recentDirectory();
    try {
      return await check(recent.directory);
    } catch (err) {
      const fresh = await this.#read();
      if (fresh.state === recent.state) throw err;
      return check(fresh.directory);
    }
  }

  /** The bureau a resource belongs to; null when it does not exist (yet). A resource's bureau never changes, so a cached state answers. */
  async ownerOf(ref: ResourceRef): Promise<Owner | null> {
    const load = { cache: this.cache, trustCache: true };
    switch (ref.kind) {
      case 'bureau':
        return { bureauCode: ref.code, countyCode: null, county: null };
      case 'programme': {
        const state: ProgrammeState = (await loadAggregate(this.store, programme, programme.streamName(ref.id), load)).state;
        return state.status === 'none' ? null : { bureauCode: state.bureauCode, countyCode: null, county: null };
      }
      case 'project': {
        const state: ProjectState = (await loadAggregate(this.store, project, project.streamName(ref.id), load)).state;
        return state.status === 'none' ? null : { bureauCode: state.bureauCode, countyCode: state.countyCode, county: state.county };
      }
      case 'disbursement': {
        const state: DisbursementState = (await loadAggregate(this.store, disbursement, disbursement.streamName(ref.id), load)).state;
        if (state.status === 'none') return null;
        const entitlement = state.entitlement;
        // A disbursement follows its project's bureau (R1, R2); an R3 one its ledger's; a legacy one (no entitlement) is from before bureaus.
        if (entitlement === null) return { bureauCode: LEGACY_BUREAU_CODE, countyCode: null, county: null };
        if (entitlement.rule === 'R3') return { bureauCode: entitlement.bureauCode ?? LEGACY_BUREAU_CODE, countyCode: null, county: null };
        const owner = await this.ownerOf({ kind: 'project', id: entitlement.projectId });
        return { bureauCode: owner?.bureauCode ?? (entitlement.rule === 'R2' ? entitlement.bureauCode : undefined) ?? LEGACY_BUREAU_CODE, countyCode: null, county: null };
      }
      case 'bankReference': {
        const state = (await loadAggregate(this.store, bankReference, bankReference.streamName(ref.reference), load)).state;
        if (state.claimant === null) return null;
        if (state.claimant.kind === 'disbursement') return this.ownerOf({ kind: 'disbursement', id: state.claimant.id });
        return this.ownerOfContractPayment(state.claimant.id);
      }
      default: {
        const never: never = ref;
        throw new Error(`unknown resource ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * A contract payment claims its bank reference as `<projectId>.<paymentId>` (both may hold dots):
   * the project is the prefix whose stream has that payment.
   */
  private async ownerOfContractPayment(claimantId: string): Promise<Owner | null> {
    for (let dot = claimantId.indexOf('.'); dot > 0; dot = claimantId.indexOf('.', dot + 1)) {
      const projectId = claimantId.slice(0, dot);
      const state: ProjectState = (await loadAggregate(this.store, project, project.streamName(projectId), { cache: this.cache, trustCache: true })).state;
      if (state.status !== 'none' && Object.hasOwn(state.payments, claimantId.slice(dot + 1))) return { bureauCode: state.bureauCode, countyCode: null, county: null };
    }
    // A claimant id shortened to 64 characters names no project: from before bureaus.
    return { bureauCode: LEGACY_BUREAU_CODE, countyCode: null, county: null };
  }

  /** Refuses a command of `caller` on the resources a request names (checked in order; those that do not exist are left to the command). */
  async authorizeCommand(caller: string, type: CommandType | undefined, refs: readonly ResourceRef[]): Promise<BureauDirectory> {
    return this.#checked((directory) => this.#authorizeCommand(directory, caller, type, refs));
  }

  async #authorizeCommand(directory: BureauDirectory, caller: string, type: CommandType | undefined, refs: readonly ResourceRef[]): Promise<BureauDirectory> {
    if (directory.isMerged(caller)) {
      throw domainError('BUREAU_MERGED', `单位 ${caller} 已并入 ${directory.entry(caller)?.mergedInto ?? ''}，不能再办理新事项 (a merged bureau issues no new command)`, { bureau: caller });
    }
    if (type === 'LaunchProgramme' && !directory.canAct(caller)) {
      throw domainError('BUREAU_NOT_REGISTERED', `单位 ${caller} 尚未登记，不能发布计划 (a programme is launched by a registered bureau)`, { bureau: caller });
    }
    for (const ref of refs) {
      const owner = await this.ownerOf(ref);
      if (owner === null || owner.bureauCode === caller) continue;
      if (type === 'RecommendProject' && ref.kind === 'project' && this.recommendsAsCounty(directory, caller, owner)) continue;
      if (directory.isWithin(owner.bureauCode, caller)) throw forbidden(owner.bureauCode, caller);
      throw notFoundOf(ref);
    }
    return directory;
  }

  /** A county bureau recommends a project of its county in a programme of a bureau above it. */
  private recommendsAsCounty(directory: BureauDirectory, caller: string, owner: Owner): boolean {
    if (bureauLevel(caller) !== 'county' || !directory.isWithin(caller, owner.bureauCode)) return false;
    if (owner.countyCode !== null) return owner.countyCode === caller;
    const name = directory.nameOf(caller);
    return name !== undefined && owner.county !== null && name === owner.county;
  }

  /** Refuses (404, the body of a missing id) a read of a resource outside the caller's subtree. */
  async authorizeRead(caller: string, ref: ResourceRef): Promise<void> {
    const owner = await this.ownerOf(ref);
    if (owner === null || owner.bureauCode === caller) return;
    await this.#checked(async (directory) => {
      if (!directory.isWithin(owner.bureauCode, caller)) throw notFoundOf(ref);
    });
  }
}
