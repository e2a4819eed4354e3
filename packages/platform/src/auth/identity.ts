/**
 * The characters an identity may have once normalised: ASCII letters (lower case), digits and
 * `. _ @ + : -`. Everything else is refused rather than mapped, because look-alikes from other
 * scripts (Cyrillic `і`, Greek `ο`) cannot be folded reliably, and a refused token is safe where
 * a second identity for the same person would defeat four eyes. `|` is outside the set on
 * purpose: it separates the subject from the Idempotency-Key in key scoping.
 */
const SAFE_IDENTITY = /^[a-z0-9._@+:-]{1,200}$/;

/**
 * The one form of an identity that four eyes, idempotency scoping and the audit trail compare:
 * NFKC (full-width and compatibility forms folded), trimmed, lower case. Returns undefined when
 * the result is empty or has a character outside the safe set.
 */
export function normaliseIdentity(raw: string): string | undefined {
  const normalised = raw.normalize('NFKC').trim().toLowerCase();
  return SAFE_IDENTITY.test(normalised) ? normalised : undefined;
}
