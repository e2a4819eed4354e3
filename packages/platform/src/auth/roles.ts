import { z } from 'zod';

/** The roles of DOMAIN.md, carried in the token's `roles` claim. */
export const roles = ['officer', 'reviewer', 'approver', 'finance', 'auditor', 'reporter', 'admin'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

/** Who is calling, taken from a verified token and never from a request body. */
export interface Principal {
  subject: string;
  roles: Role[];
  tokenId?: string | undefined;
  /** The token's `exp`, in seconds since the epoch. */
  expiresAt?: number | undefined;
}
