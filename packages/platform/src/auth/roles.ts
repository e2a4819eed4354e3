import { z } from 'zod';

/** The roles of DOMAIN.md, carried in the token's `roles` claim. */
export const roles = ['officer', 'reviewer', 'approver', 'finance', 'auditor', 'reporter', 'admin'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

/** Who is calling, taken from a verified token and never from a request body. */
export interface Principal {
  subject: string;
  roles: Role[];
  /**
   * The caller's bureau: a GB/T 2260 administrative division code (330000 Zhejiang, 331000 Taizhou,
   * 331002 Jiaojiang), from the token's `bureau` claim. Commands act inside it; reads reach its subtree.
   */
  bureau: string;
  tokenId?: string | undefined;
  /** The token's `exp`, in seconds since the epoch. */
  expiresAt?: number | undefined;
}

/** A GB/T 2260 administrative division code: six ASCII digits, the first not zero. */
export const BUREAU_CODE = /^[1-9][0-9]{5}$/;
/** The bureau of every fact recorded before bureaus existed, and of tokens without a `bureau` claim outside production: Taizhou. */
export const LEGACY_BUREAU_CODE = '331000';
