import { z } from 'zod';
import { assertNever, assertRole } from '../authorize.js';
import type { CommandsOf, Decider, EventsOf } from '../decider.js';
import { domainError } from '../errors.js';
import type { Role } from '../roles.js';
import { IsoDate, toShanghaiDate } from '../values/calendar.js';
import { Name, RecordedName, recorded } from '../values/common.js';
import { BureauCode, BureauLevel, bureauLevel, defaultParent, levelName, levelRank, provinceOf } from './codes.js';
import { BureauDirectory, type BureauEntry, type BureauRegistryState } from './directory.js';

/**
 * The one stream of the registry: every registration, rename and merge, in order. The contract
 * named it `bureaus`; the event store takes only `<category>-<id>` names, so it is
 * `bureaus-registry` (a prefix match on `bureaus` still finds it).
 */
export const BUREAU_REGISTRY_STREAM = 'bureaus-registry';

export const bureauCommandSchemas = {
  /** Registers a bureau under its default parent, or under `parentCode` (a county-level city directly under the province). */
  RegisterBureau: z.strictObject({
    code: BureauCode,
    name: Name,
    parentCode: BureauCode.optional(),
    /** The business date of the registration; the command's date by default. */
    registeredOn: IsoDate.optional(),
  }),
  RenameBureau: z.strictObject({ code: BureauCode, name: Name, renamedOn: IsoDate.optional() }),
  /** A bureau is merged into another (机构合并): it keeps its records and moves under the survivor. */
  MergeBureau: z.strictObject({ code: BureauCode, into: BureauCode, mergedOn: IsoDate.optional() }),
} as const;

export const bureauEventSchemas = {
  BureauRegistered: z.strictObject({
    ...recorded,
    code: BureauCode,
    name: RecordedName,
    level: BureauLevel,
    parentCode: BureauCode.nullable(),
    path: z.string().min(6),
    registeredOn: IsoDate,
  }),
  BureauRenamed: z.strictObject({ ...recorded, code: BureauCode, name: RecordedName, previousName: RecordedName, renamedOn: IsoDate }),
  BureauMerged: z.strictObject({
    ...recorded,
    code: BureauCode,
    into: BureauCode,
    /** The merged bureau's new path: the survivor's path + '.' + code. */
    path: z.string().min(6),
    mergedOn: IsoDate,
  }),
} as const;

export type BureauCommand = CommandsOf<typeof bureauCommandSchemas>;
export type BureauEvent = EventsOf<typeof bureauEventSchemas>;
export type BureauCommandType = BureauCommand['type'];

export const bureauCommandRoles: Record<BureauCommandType, Role[]> = {
  RegisterBureau: ['admin'],
  RenameBureau: ['admin'],
  MergeBureau: ['admin'],
};

function registered(directory: BureauDirectory, code: string): BureauEntry {
  const entry = directory.entry(code);
  if (entry === undefined) throw domainError('BUREAU_NOT_FOUND', `单位 ${code} 尚未登记 (bureau ${code} is not registered)`, { code });
  return entry;
}

function notMerged(entry: BureauEntry, what: string): void {
  if (entry.mergedInto !== null) {
    throw domainError('BUREAU_MERGED', `单位 ${entry.code} 已并入 ${entry.mergedInto}，不能${what} (bureau ${entry.code} was merged into ${entry.mergedInto})`, {
      code: entry.code,
      mergedInto: entry.mergedInto,
    });
  }
}

function register(command: Extract<BureauCommand, { type: 'RegisterBureau' }>, directory: BureauDirectory): BureauEvent[] {
  const { code, name } = command.data;
  const level = bureauLevel(code);
  const parentCode = command.data.parentCode ?? defaultParent(code);
  const existing = directory.entry(code);
  if (existing !== undefined) {
    // A retried registration finds itself: nothing new to record.
    if (existing.name === name && existing.parentCode === parentCode) return [];
    throw domainError('ALREADY_EXISTS', `单位 ${code} 已登记为「${existing.name}」 (bureau ${code} is already registered as ${existing.name})`, { code });
  }
  let path = code;
  if (level === 'province') {
    if (command.data.parentCode !== undefined) {
      throw domainError('BUREAU_PARENT_INVALID', `省级单位 ${code} 没有上级 (a province has no parent)`, { code, parentCode: command.data.parentCode });
    }
  } else {
    if (parentCode === null) throw new Error(`no parent for ${level} ${code}`);
    const parent = directory.entry(parentCode);
    if (parent === undefined) {
      throw domainError('BUREAU_PARENT_INVALID', `上级单位 ${parentCode} 尚未登记，请先登记上级 (parent ${parentCode} of ${code} is not registered)`, { code, parentCode });
    }
    notMerged(parent, '再设下级单位');
    if (levelRank(parent.level) >= levelRank(level)) {
      throw domainError(
        'BUREAU_PARENT_INVALID',
        `上级单位 ${parentCode}（${levelName(parent.level)}级）须高于 ${code}（${levelName(level)}级） (the parent must be of a higher level)`,
        { code, parentCode },
      );
    }
    if (provinceOf(parentCode) !== provinceOf(code)) {
      throw domainError('BUREAU_PARENT_INVALID', `上级单位 ${parentCode} 不在 ${code} 所在的省 (the parent must be in the same province)`, { code, parentCode });
    }
    path = `${parent.path}.${code}`;
  }
  const registeredOn = command.data.registeredOn ?? toShanghaiDate(command.at);
  return [{ type: 'BureauRegistered', data: { by: command.actor, at: command.at, code, name, level, parentCode: level === 'province' ? null : parentCode, path, registeredOn } }];
}

function merge(command: Extract<BureauCommand, { type: 'MergeBureau' }>, directory: BureauDirectory): BureauEvent[] {
  const { code, into } = command.data;
  const merged = registered(directory, code);
  if (merged.mergedInto !== null) {
    if (merged.mergedInto === into) return [];
    notMerged(merged, '再次合并');
  }
  if (into === code) throw domainError('BUREAU_PARENT_INVALID', `单位 ${code} 不能并入自身 (a bureau cannot be merged into itself)`, { code });
  const survivor = registered(directory, into);
  notMerged(survivor, '接收合并');
  if (provinceOf(into) !== provinceOf(code)) {
    throw domainError('BUREAU_PARENT_INVALID', `${into} 不在 ${code} 所在的省 (the survivor must be in the same province)`, { code, into });
  }
  if (levelRank(survivor.level) > levelRank(merged.level)) {
    throw domainError('BUREAU_PARENT_INVALID', `不能把${levelName(merged.level)}级单位 ${code} 并入${levelName(survivor.level)}级单位 ${into} (the survivor must not be of a lower level)`, { code, into });
  }
  const children = directory.childrenOf(code);
  if (children.length > 0) {
    throw domainError('BUREAU_HAS_CHILDREN', `单位 ${code} 还有下级单位 ${children.join('、')}，须先将其并入或另行登记 (bureau ${code} still has bureaus under it)`, {
      code,
      children,
    });
  }
  const mergedOn = command.data.mergedOn ?? toShanghaiDate(command.at);
  return [{ type: 'BureauMerged', data: { by: command.actor, at: command.at, code, into, path: `${survivor.path}.${code}`, mergedOn } }];
}

function decide(command: BureauCommand, state: BureauRegistryState): BureauEvent[] {
  assertRole(command.type, command.actor, bureauCommandRoles[command.type]);
  const directory = new BureauDirectory(state);
  switch (command.type) {
    case 'RegisterBureau':
      return register(command, directory);
    case 'RenameBureau': {
      const entry = registered(directory, command.data.code);
      notMerged(entry, '更名');
      if (entry.name === command.data.name) return [];
      const renamedOn = command.data.renamedOn ?? toShanghaiDate(command.at);
      return [{ type: 'BureauRenamed', data: { by: command.actor, at: command.at, code: entry.code, name: command.data.name, previousName: entry.name, renamedOn } }];
    }
    case 'MergeBureau':
      return merge(command, directory);
    default:
      return assertNever(command);
  }
}

/**
 * The registry of bureaus (stream `bureaus`): province → city → county, registered, renamed and
 * merged. Every invariant is on this one stream (codes unique, a parent registered, of a higher
 * level, in the same province and not merged; a merged bureau takes no children and is merged once).
 */
export const bureauRegistryDecider: Decider<BureauCommand, BureauRegistryState, BureauEvent> = {
  decide,
  evolve: (state, event) => BureauDirectory.evolve(state, event),
  initialState: BureauDirectory.empty,
};

export function bureauRegistryStream(): string {
  return BUREAU_REGISTRY_STREAM;
}
