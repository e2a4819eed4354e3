import { domainError } from './errors.js';
import type { Role } from './roles.js';
import type { Actor } from './values/common.js';

/** Refuses a command whose actor's role may not issue it (the HTTP layer checks too; the domain does not rely on it). */
export function assertRole(type: string, actor: Actor, allowed: readonly Role[]): void {
  if (!allowed.includes(actor.role)) {
    throw domainError('ROLE_NOT_ALLOWED', `the ${actor.role} role may not ${type}; allowed: ${allowed.join(', ')}`, {
      command: type,
      role: actor.role,
    });
  }
}

export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
