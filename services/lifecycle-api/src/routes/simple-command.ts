import { commandDataSchemas, commandRoles, Id, type CommandType } from '@gongguan/domain';
import type { HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { aggregates, type AggregateName } from '../commands/aggregates.js';
import { execute } from '../commands/execute.js';
import { commandRoute, type CommandDeps } from './command-route.js';
import type { ResourceRef } from '../bureaus/access.js';

type Params = Record<string, string>;
type Body = Record<string, unknown>;

export interface SimpleCommand {
  url: string;
  type: CommandType;
  aggregate: AggregateName;
  summary: string;
  tags: string[];
  /** The stream the command goes to, from the path parameters. */
  stream: (params: Params, body: Body) => string;
  /** Path parameters copied into the command's data (and so left out of the body). */
  fromPath?: string[];
  /** Id fields the client may leave out: the server generates them. */
  generatedIds?: string[];
  /** The id of the resource this creates, for `resourceId` (and `Location` when `location` is set). */
  resourceId?: (params: Params, body: Body) => string;
  location?: (id: string) => string;
  example: Body;
  description?: string;
  /** The resource the command acts on, whose bureau must be the caller's (see bureaus/access.ts). */
  resource: (params: Params, body: Body) => ResourceRef;
  /** A data field set to the caller's bureau (left out of the body): LaunchProgramme's `bureauCode`. */
  callerBureauField?: string;
}

/** The body schema of a command: its data schema less what the path supplies, ids optional where generated. */
export function bodySchema(type: CommandType, omit: readonly string[] = [], optional: readonly string[] = []): z.ZodType {
  const schema = commandDataSchemas[type] as z.ZodType;
  if (omit.length === 0 && optional.length === 0) return schema;
  if (!(schema instanceof z.ZodObject)) throw new Error(`${type} has no object schema to adapt`);
  let adapted: z.ZodObject = schema.omit(Object.fromEntries(omit.map((k) => [k, true])) as never);
  if (optional.length > 0) adapted = adapted.partial(Object.fromEntries(optional.map((k) => [k, true])) as never);
  return adapted;
}

const CreditCodeParam = z.string().min(1).max(18);
const YearParam = z.coerce.number().int().min(2000).max(2100);
/** One params schema per list of path parameters, shared by the routes that have it (zod schemas are immutable; each costs ~30 µs to build at start). */
const paramsSchemas = new Map<string, z.ZodObject>();

export function paramsSchema(url: string): z.ZodObject {
  const names = [...url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
  const key = names.join('/');
  let schema = paramsSchemas.get(key);
  if (schema === undefined) {
    schema = z.strictObject(Object.fromEntries(names.map((n) => [n, n === 'creditCode' ? CreditCodeParam : n === 'year' ? YearParam : Id])));
    paramsSchemas.set(key, schema);
  }
  return schema;
}

/** A route that is one command on one stream. */
export function simpleCommand(app: HttpApp, deps: CommandDeps, def: SimpleCommand): void {
  const fromPath = [...(def.fromPath ?? []), ...(def.callerBureauField ? [def.callerBureauField] : [])];
  const generated = def.generatedIds ?? [];
  commandRoute(app, deps, {
    url: def.url,
    summary: def.summary,
    ...(def.description ? { description: def.description } : {}),
    tags: def.tags,
    roles: commandRoles[def.type],
    params: paramsSchema(def.url),
    body: bodySchema(def.type, fromPath, generated),
    bodyExample: def.example,
    created: def.location !== undefined,
    commandType: def.type,
    resources: ({ params, body }) => [def.resource(params as Params, body as Body)],
    async run(ctx, { params, body, ifMatch }) {
      const p = params as Params;
      const data: Body = { ...(body as Body) };
      for (const field of generated) if (data[field] === undefined) data[field] = ctx.env.newId();
      for (const field of def.fromPath ?? []) data[field] = p[field];
      if (def.callerBureauField) data[def.callerBureauField] = ctx.bureau;
      const primary = await execute(ctx, {
        aggregate: aggregates[def.aggregate] as never,
        stream: def.stream(p, data),
        type: def.type,
        data,
        step: def.type,
        ifMatch,
      });
      const resourceId = def.resourceId?.(p, data);
      return {
        primary,
        ...(resourceId ? { resourceId } : {}),
        ...(resourceId && def.location ? { location: def.location(resourceId) } : {}),
      };
    },
  });
}
