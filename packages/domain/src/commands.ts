import { z } from 'zod';
import { bankReferenceCommandRoles, bankReferenceCommandSchemas } from './bank-reference/registry.js';
import { bureauCommandRoles, bureauCommandSchemas } from './bureau/registry.js';
import { annualSummaryCommandRoles, annualSummaryCommandSchemas } from './summary/annual-summary.js';
import type { CommandsOf } from './decider.js';
import { commandSchema } from './decider.js';
import { disbursementCommandRoles, disbursementCommandSchemas } from './disbursement/disbursement.js';
import { programmeCommandRoles, programmeCommandSchemas } from './programme/commands.js';
import { projectCommandRoles, projectCommandSchemas } from './project/commands.js';
import type { Role } from './roles.js';
import { r2LedgerCommandRoles, r2LedgerCommandSchemas } from './subsidy/r2-ledger.js';
import { r3LedgerCommandRoles, r3LedgerCommandSchemas } from './subsidy/r3-ledger.js';

/** The data schema (what the user sends) of every command type. */
export const commandDataSchemas = {
  ...programmeCommandSchemas,
  ...projectCommandSchemas,
  ...disbursementCommandSchemas,
  ...bankReferenceCommandSchemas,
  ...r2LedgerCommandSchemas,
  ...r3LedgerCommandSchemas,
  ...bureauCommandSchemas,
  ...annualSummaryCommandSchemas,
} as const;

export type DomainCommand = CommandsOf<typeof commandDataSchemas>;
export type CommandType = DomainCommand['type'];

/** Which roles may issue each command (auditor, reporter and admin issue none). */
export const commandRoles: Record<CommandType, Role[]> = {
  ...programmeCommandRoles,
  ...projectCommandRoles,
  ...disbursementCommandRoles,
  ...bankReferenceCommandRoles,
  ...r2LedgerCommandRoles,
  ...r3LedgerCommandRoles,
  ...bureauCommandRoles,
  ...annualSummaryCommandRoles,
};

export function isCommandType(type: string): type is CommandType {
  return Object.hasOwn(commandDataSchemas, type);
}

const headSchema = z.object({ type: z.string() });
const wholeCommandSchemas = new Map<CommandType, z.ZodType>();

/** The whole-command schema of a type, built once: zod compiles a schema's fast path on first use. */
function wholeCommandSchema(type: CommandType): z.ZodType {
  let schema = wholeCommandSchemas.get(type);
  if (!schema) {
    schema = commandSchema(type, commandDataSchemas[type]);
    wholeCommandSchemas.set(type, schema);
  }
  return schema;
}

/** Validates a whole command `{ type, actor, at, data }`; throws a ZodError when it is malformed. */
export function parseCommand(input: unknown): DomainCommand {
  const head = headSchema.parse(input);
  if (!isCommandType(head.type)) {
    throw new z.ZodError([{ code: 'custom', path: ['type'], message: `unknown command type ${head.type}`, input: head.type }]);
  }
  // The schema chosen by `type` validated the command, so the result has that type.
  return wholeCommandSchema(head.type).parse(input) as DomainCommand;
}
