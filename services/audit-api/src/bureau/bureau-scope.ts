import { BUREAU_REGISTRY_STREAM, BureauDirectory, bureauRegistry, disbursement, LEGACY_BUREAU_CODE, parseEvent, parseLedgerStream, project, upcast, type BureauRegistryState } from '@gongguan/domain';
import type { EventStore, RecordedEvent } from '@gongguan/event-store';
import { appError, isAppError, type AppError, type Logger } from '@gongguan/platform';
import type { SqlExecutor } from '@gongguan/platform/db';
import { followStream } from '../tree-heads/stream-follower.js';

/**
 * Who a stream belongs to (service README, "Bureaus"):
 * - `bureau`: a programme, a project, everything that belongs to a project, a ledger;
 * - `shared`: the bureau registry and the log's own bookkeeping (`audit-*`), read by every auditor;
 * - `unknown`: a stream of no kind this service knows, read only by the province (a registry root).
 */
export type StreamOwner = { kind: 'bureau'; code: string } | { kind: 'shared' } | { kind: 'unknown' };

const SHARED: StreamOwner = { kind: 'shared' };
const UNKNOWN: StreamOwner = { kind: 'unknown' };
const bureau = (code: string): StreamOwner => ({ kind: 'bureau', code });
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * The bureau an R2/R3 enterprise-year ledger belongs to: its name says it (the domain's naming rule,
 * `subsidy|r3-[<bureau>-]<credit code>-<year>`); undefined for a name that is not a ledger's.
 */
export function ledgerBureau(stream: string): string | undefined {
  return parseLedgerStream(stream)?.bureauCode;
}

/**
 * The bureau of a project or programme stream from its first event (ProjectSubmitted, ProgrammeLaunched),
 * read as the domain reads it: upcast, so a version from before bureaus is the legacy bureau's.
 */
export function bureauOfFirst(event: Pick<RecordedEvent, 'type' | 'schemaVersion' | 'data'> | undefined): string {
  if (event === undefined) return LEGACY_BUREAU_CODE;
  let data: unknown = event.data;
  try {
    data = upcast(event).data;
  } catch {
    // A type or version the domain does not know: its own data says what it says.
  }
  return str((data as Record<string, unknown> | null)?.bureauCode) ?? LEGACY_BUREAU_CODE;
}

/** How many owners are kept (a stream's owner never changes, so an entry is never stale). */
const CACHE_SIZE = 200_000;

export interface BureauScopeDeps {
  store: EventStore;
  logger?: Logger;
}

/**
 * The one answer to "which bureau owns this stream, and may this caller see it". Owners are cached
 * forever (they never change); where the owner sits is resolved through the registry fold at each
 * question, so a merge moves a bureau's records under the survivor at once.
 */
export function createBureauScope(deps: BureauScopeDeps) {
  const { store, logger } = deps;
  const owners = new Map<string, StreamOwner>();
  // The registry folded as the domain folds it (upcast, validated, BureauDirectory.evolve). An event
  // the domain cannot read is logged at error and passed over, so one bad record does not stop every
  // read: the bureaus it would have moved keep their place before it (a hash-valid event the domain
  // cannot read is not a verification problem: the log proves what was written, not that it parses).
  let state: BureauRegistryState = BureauDirectory.empty;
  const registry = followStream(store, BUREAU_REGISTRY_STREAM, (event) => {
    let parsed;
    try {
      parsed = parseEvent(event);
    } catch (err) {
      logger?.error({ eventId: event.id, stream: event.stream, revision: event.revision, err }, 'a bureau registry event the domain cannot read is passed over');
      return;
    }
    if (bureauRegistry.isEvent(parsed)) state = BureauDirectory.evolve(state, parsed);
    else logger?.error({ eventId: event.id, type: event.type }, 'an event of another kind on the bureau registry stream is passed over');
  });

  async function first(stream: string): Promise<RecordedEvent | undefined> {
    try {
      return (await store.readStream(stream, { limit: 1 }))[0];
    } catch (err) {
      if (isAppError(err) && err.code === 'STREAM_NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** The owner of `stream` from its first event; undefined when it has none. */
  async function resolve(stream: string): Promise<StreamOwner | undefined> {
    const event = await first(stream);
    if (event === undefined) return undefined;
    if (stream === BUREAU_REGISTRY_STREAM || stream.startsWith('audit-')) return SHARED;
    const d = event.data;
    const own = str(d.bureauCode);
    if (stream.startsWith('programme-') || stream.startsWith('project-')) return bureau(bureauOfFirst(event));
    // A city's annual work summary belongs to the city that submitted it (and so to the province above it).
    if (stream.startsWith('annual-summary-') && own !== undefined) return bureau(own);
    if (stream.startsWith('subsidy-') || stream.startsWith('r3-')) {
      const code = ledgerBureau(stream);
      return code === undefined ? UNKNOWN : bureau(code);
    }
    if (stream.startsWith('disbursement-')) {
      if (own !== undefined) return bureau(own);
      // A disbursement follows the project whose entitlement it pays; an R3 one pays from a ledger.
      const ref = (d.entitlement ?? undefined) as { rule?: unknown; projectId?: unknown; bureauCode?: unknown } | undefined;
      if (ref?.rule === 'R3') return bureau(str(ref.bureauCode) ?? LEGACY_BUREAU_CODE);
      const projectId = str(ref?.projectId) ?? str(d.projectId);
      const owner = projectId === undefined ? undefined : await ownerOf(project.streamName(projectId));
      if (owner !== undefined) return owner;
      return bureau(str(ref?.bureauCode) ?? LEGACY_BUREAU_CODE);
    }
    if (stream.startsWith('bank-reference-')) {
      if (own !== undefined) return bureau(own);
      // The one claim names its claimant: a disbursement, or a contract payment `<project>.<payment>`
      // (ids may hold dots, so each split is tried, shortest project id first).
      const claimant = d.claimant as { kind?: unknown; id?: unknown } | undefined;
      const id = str(claimant?.id);
      if (claimant?.kind === 'disbursement' && id !== undefined) return (await ownerOf(disbursement.streamName(id))) ?? bureau(LEGACY_BUREAU_CODE);
      if (id !== undefined) {
        for (let dot = id.indexOf('.'); dot > 0; dot = id.indexOf('.', dot + 1)) {
          const owner = await ownerOf(project.streamName(id.slice(0, dot)));
          if (owner !== undefined) return owner;
        }
      }
      // A claim recorded before claims named their project (a bare payment id): legacy data.
      return bureau(LEGACY_BUREAU_CODE);
    }
    return UNKNOWN;
  }

  async function ownerOf(stream: string): Promise<StreamOwner | undefined> {
    const cached = owners.get(stream);
    if (cached !== undefined) return cached;
    const owner = await resolve(stream);
    if (owner === undefined) return undefined; // not there yet: it may be written later
    if (owners.size >= CACHE_SIZE) owners.delete(owners.keys().next().value as string);
    owners.set(stream, owner);
    return owner;
  }

  /** The registry folded up to now. */
  async function directory(): Promise<BureauDirectory> {
    await registry.refresh();
    return new BureauDirectory(state);
  }

  /** A province: a bureau at the root of the registry (its path is its own code). */
  function isRoot(dir: BureauDirectory, callerBureau: string): boolean {
    return !dir.pathOf(callerBureau).includes('.');
  }

  function visibleIn(dir: BureauDirectory, owner: StreamOwner, callerBureau: string): boolean {
    switch (owner.kind) {
      case 'shared':
        return true;
      case 'unknown':
        return isRoot(dir, callerBureau);
      case 'bureau':
        return dir.isWithin(owner.code, callerBureau);
      default: {
        const never: never = owner;
        throw new Error(`unknown owner ${JSON.stringify(never)}`);
      }
    }
  }

  /** Whether the caller of bureau `callerBureau` may see `stream` (false when it has no event). */
  async function canSee(callerBureau: string, stream: string): Promise<boolean> {
    const owner = await ownerOf(stream);
    return owner !== undefined && visibleIn(await directory(), owner, callerBureau);
  }

  /** A filter for many owners at once (one registry read). */
  async function visibility(callerBureau: string): Promise<(owner: StreamOwner | undefined) => boolean> {
    const dir = await directory();
    return (owner) => owner !== undefined && visibleIn(dir, owner, callerBureau);
  }

  return {
    ownerOf,
    directory,
    canSee,
    visibility,
    /**
     * Throws `missing()` — the very error the route gives for an id that does not exist — unless
     * `stream` has an event and lies within the caller's subtree: ids of other bureaus do not leak.
     */
    async require(callerBureau: string, stream: string, missing: () => AppError): Promise<void> {
      if (!(await canSee(callerBureau, stream))) throw missing();
    },
    /**
     * As `require`, for verifying one stream, which may have lost every event (a deletion the
     * witness still names): then its owner cannot be read any more, only its name says something —
     * a ledger's bureau; any other such stream is the province's (a registry root) to verify.
     */
    async requireVerifiable(callerBureau: string, stream: string, sql: SqlExecutor, missing: () => AppError): Promise<void> {
      if (await canSee(callerBureau, stream)) return;
      if ((await ownerOf(stream)) !== undefined) throw missing();
      const { rows } = await sql.query(`select 1 from audit.witness where stream = $1 limit 1`, [stream]);
      if (rows.length === 0) throw missing();
      const byName = ledgerBureau(stream);
      if (!visibleIn(await directory(), byName === undefined ? UNKNOWN : bureau(byName), callerBureau)) throw missing();
    },
    /**
     * Whole-store verification covers every bureau (the log is one), so anyone who reads may run it;
     * a problem of a stream outside the caller's subtree keeps its kind and place in the log and
     * loses what names it (event, stream, revision, detail, values). Problems of no stream (tree
     * heads, the witness) and of shared streams are shown whole. A stream whose events are all gone
     * is placed by its name (a ledger), else as `unknown` (the province's).
     */
    async redactProblems<P extends { stream: string | null; kind: string; index: number }>(callerBureau: string, problems: readonly P[]): Promise<Array<P | Redacted<P>>> {
      const visible = await visibility(callerBureau);
      const out: Array<P | Redacted<P>> = [];
      for (const p of problems) {
        if (p.stream === null) {
          out.push(p);
          continue;
        }
        const byName = ledgerBureau(p.stream);
        const owner = (await ownerOf(p.stream)) ?? (byName === undefined ? UNKNOWN : bureau(byName));
        out.push(visible(owner) ? p : { kind: p.kind, index: p.index, eventId: null, stream: null, revision: null, detail: OUTSIDE_DETAIL });
      }
      return out;
    },
    /**
     * For an answer made of several streams around a resource the caller may see (a history, a
     * bundle's closure): throws 403 OUTSIDE_BUREAU, naming none of them, when one lies outside the
     * caller's subtree — the answer is refused whole rather than given with a gap or a leak.
     */
    async requireAll(callerBureau: string, streams: Iterable<string>): Promise<void> {
      const visible = await visibility(callerBureau);
      for (const stream of streams) {
        if (!visible(await ownerOf(stream))) throw outsideBureau();
      }
    },
  };
}

export type BureauScope = ReturnType<typeof createBureauScope>;

const OUTSIDE_DETAIL = '本单位辖区以外的一条记录有此问题，由上级单位审计人员查看 / a record outside your bureau has this problem: an auditor of a bureau above sees which';

/** A verification problem as shown to a bureau that may not see its record. */
export type Redacted<P extends { kind: string; index: number }> = { kind: P['kind']; index: number; eventId: null; stream: null; revision: null; detail: string };

/** The one 404 of a resource that does not exist, or that lies outside the caller's bureau (the same body). */
export function notFound(kind: keyof typeof resourceNames, id: string): () => AppError {
  return () => appError('NOT_FOUND', `没有${resourceNames[kind]} ${id} / no ${kind} ${id}`);
}

const resourceNames = { stream: '事件流', project: '项目', programme: '计划', disbursement: '拨付', ledger: '台账', event: '事件' } as const;

/** 403: the answer would carry another bureau's records (which are not named). */
export function outsideBureau(): AppError {
  return appError('FORBIDDEN', '所需记录中有本单位辖区以外的记录，不能提供；请由共同的上级单位审计 / the answer would carry records of a bureau outside yours; an auditor of a bureau above both can have it', {
    publicCode: 'OUTSIDE_BUREAU',
  });
}

/** The caller's bureau (routes with roles always have a principal). */
export function callerBureau(request: { principal?: { bureau: string } | undefined }): string {
  const principal = request.principal;
  if (principal === undefined) throw appError('UNAUTHENTICATED', 'this route needs a token');
  return principal.bureau;
}
