import { z } from 'zod';

/** The roles of DOMAIN.md; a token carries exactly one. */
export const roles = ['officer', 'reviewer', 'approver', 'finance', 'auditor', 'reporter', 'admin'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;
