import { bureauRegistry, BureauCode, defaultParent, domainError, isPathWithin, roles, type BureauDirectory, type BureauView } from '@gongguan/domain';
import { appError, type HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { callerBureau } from '../bureaus/access.js';
import { execute } from '../commands/execute.js';
import { commandRoute, type CommandDeps } from './command-route.js';
import { bodySchema } from './simple-command.js';

const CodeParams = z.strictObject({ code: BureauCode });

/** The answer for a bureau the caller may not see: the registry's own "not registered", so codes outside the subtree tell nothing. */
const notRegistered = (code: string) => domainError('BUREAU_NOT_FOUND', `单位 ${code} 尚未登记 (bureau ${code} is not registered)`, { code });

function requireWithin(directory: BureauDirectory, code: string, caller: string): void {
  if (!directory.isWithin(code, caller)) throw notRegistered(code);
}

const bureauFields = {
  code: z.string(),
  name: z.string().nullable().describe('null for a code never registered (the legacy bureau before its registration)'),
  level: z.enum(['province', 'city', 'county']),
  parentCode: z.string().nullable(),
  path: z.string().describe('Codes from the province down, joined by "."'),
  mergedInto: z.string().nullable(),
  registered: z.boolean(),
};

/**
 * A node of the tree with its children, to the depth a tree can have: province → city → county →
 * a county merged into a county. Spelled out level by level (no recursive schema: OpenAPI 3.1
 * documents of the platform inline every schema).
 */
function nodeSchema(depth: number): z.ZodType {
  return depth === 0
    ? z.object({ ...bureauFields, children: z.array(z.never()).describe('none below this depth') })
    : z.object({ ...bureauFields, children: z.array(nodeSchema(depth - 1)) });
}
const BureauNode = nodeSchema(4);
interface BureauNodeShape extends BureauView {
  children: BureauNodeShape[];
}

/** The bureaus within the caller's bureau as a tree (a merged bureau under its survivor). */
function treeOf(directory: BureauDirectory, scope: string): BureauNodeShape {
  const views = directory.within(scope);
  const nodes = new Map(views.map((v) => [v.path, { ...v, children: [] as BureauNodeShape[] }]));
  const root = nodes.get(views[0]!.path)!;
  for (const [path, node] of nodes) {
    if (node === root) continue;
    const parent = nodes.get(path.slice(0, path.lastIndexOf('.')));
    (parent ?? root).children.push(node);
  }
  return root;
}

const example = { code: '331002', name: '椒江区科学技术局' };

/**
 * The registry of bureaus (stream `bureaus`): an admin registers, renames and merges the bureaus
 * within its own bureau; everyone reads the tree of their own subtree.
 */
export function registerBureauRoutes(app: HttpApp, deps: CommandDeps): void {
  commandRoute(app, deps, {
    url: '/v1/bureaus',
    summary: 'Register a bureau (by its GB/T 2260 code) under its default parent or a named one, within the caller\'s bureau',
    description:
      'The parent (parentCode, or the one the code names: 331002 → 331000 → 330000) must be registered, of a higher level, in the same province and not merged (409 BUREAU_PARENT_INVALID, 403 BUREAU_MERGED). A bureau outside the caller\'s subtree: 403 BUREAU_FORBIDDEN.',
    tags: ['bureaus'],
    roles: bureauRegistry.commandRoles.RegisterBureau,
    params: z.strictObject({}),
    body: bodySchema('RegisterBureau'),
    bodyExample: example,
    created: true,
    commandType: 'RegisterBureau',
    resources: () => [],
    async run(ctx, { body, ifMatch }) {
      const data = body as { code: string; parentCode?: string };
      const directory = await deps.bureaus.directory();
      const parent = data.parentCode ?? defaultParent(data.code);
      const path = parent === null ? data.code : `${directory.pathOf(parent)}.${data.code}`;
      if (!isPathWithin(path, directory.pathOf(ctx.bureau))) {
        throw domainError('BUREAU_FORBIDDEN', `只能在本单位内操作：${data.code} 不在 ${ctx.bureau} 之下 (a bureau is registered by an admin of a bureau above it)`, { code: data.code, callerBureau: ctx.bureau });
      }
      const primary = await execute(ctx, { aggregate: bureauRegistry, stream: bureauRegistry.streamName(), type: 'RegisterBureau', data: body as Record<string, unknown>, step: 'register', ifMatch });
      return { primary, resourceId: data.code, location: `/v1/bureaus/${data.code}` };
    },
  });

  commandRoute(app, deps, {
    url: '/v1/bureaus/:code/rename',
    summary: 'Rename a bureau within the caller\'s bureau',
    tags: ['bureaus'],
    roles: bureauRegistry.commandRoles.RenameBureau,
    params: CodeParams,
    body: bodySchema('RenameBureau', ['code']),
    bodyExample: { name: '椒江区科技局' },
    commandType: 'RenameBureau',
    resources: () => [],
    async run(ctx, { params, body, ifMatch }) {
      const { code } = params as { code: string };
      requireWithin(await deps.bureaus.directory(), code, ctx.bureau);
      const primary = await execute(ctx, { aggregate: bureauRegistry, stream: bureauRegistry.streamName(), type: 'RenameBureau', data: { ...(body as object), code }, step: 'rename', ifMatch });
      return { primary, resourceId: code };
    },
  });

  commandRoute(app, deps, {
    url: '/v1/bureaus/:code/merge',
    summary: 'Merge a bureau into another (both within the caller\'s bureau): it keeps its records and moves under the survivor',
    description: 'A merged bureau is the bureau of no new command (403 BUREAU_MERGED) and takes no children; a bureau with bureaus under it cannot be merged (409 BUREAU_HAS_CHILDREN).',
    tags: ['bureaus'],
    roles: bureauRegistry.commandRoles.MergeBureau,
    params: CodeParams,
    body: bodySchema('MergeBureau', ['code']),
    bodyExample: { into: '331002' },
    commandType: 'MergeBureau',
    resources: () => [],
    async run(ctx, { params, body, ifMatch }) {
      const { code } = params as { code: string };
      const { into } = body as { into: string };
      const directory = await deps.bureaus.directory();
      requireWithin(directory, code, ctx.bureau);
      requireWithin(directory, into, ctx.bureau);
      const primary = await execute(ctx, { aggregate: bureauRegistry, stream: bureauRegistry.streamName(), type: 'MergeBureau', data: { ...(body as object), code }, step: 'merge', ifMatch });
      return { primary, resourceId: code };
    },
  });

  app.get(
    '/v1/bureaus',
    {
      config: { roles: [...roles] },
      schema: { summary: "The bureaus within the caller's bureau, as a tree", tags: ['bureaus'], response: { 200: z.object({ root: BureauNode }) } },
    },
    async (request) => ({ root: treeOf(await deps.bureaus.directory(), callerBureau(request.principal!)) }),
  );

  app.get(
    '/v1/bureaus/:code',
    {
      config: { roles: [...roles] },
      schema: { summary: "A bureau within the caller's bureau, with its subtree", tags: ['bureaus'], params: CodeParams, response: { 200: z.object({ bureau: BureauNode }) } },
    },
    async (request) => {
      const { code } = request.params as { code: string };
      const caller = callerBureau(request.principal!);
      const directory = await deps.bureaus.directory();
      // A code is answered when it lies within the caller's subtree and is registered (or is the caller's own, registered or not).
      if (!directory.isWithin(code, caller) || (!directory.isRegistered(code) && code !== caller)) {
        throw appError('NOT_FOUND', `bureau ${code} does not exist`);
      }
      return { bureau: treeOf(directory, code) };
    },
  );
}
