import { followStream } from '../tree-heads/stream-follower.js';
import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { isAppError, type Logger } from '@gongguan/platform';
import type { EventStore, RecordedEvent } from '@gongguan/event-store';
import { z } from 'zod';
import { keyIdOf, type TreeHeadKey } from './tree-head-key.js';

/**
 * Every key that ever signed tree heads, as events in their own stream, so the log seals its own
 * key history: `TreeHeadKeyActivated` when the service starts with a signing key other than the
 * latest one registered. A key is valid from its activation until the next activation (the first
 * key registered also covers the heads sealed before keys were registered: its validity has no
 * start). A key activated again later gets a second period.
 */
export const KEY_STREAM = 'audit-keys';
export const KEY_EVENT = 'TreeHeadKeyActivated';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const TreeHeadKeyActivatedData = z.strictObject({
  keyId: Hex64,
  /** SPKI PEM of the Ed25519 public key. */
  publicKeyPem: z.string().min(1),
  /** The C2SP note verifier key (`<origin>+<id>+<base64>`) checkpoints signed with it verify under. */
  verifierKey: z.string().min(1),
  activatedAt: z.iso.datetime({ offset: true }),
});
export type TreeHeadKeyActivatedData = z.infer<typeof TreeHeadKeyActivatedData>;

/** A period of validity; `validFrom` null = since the log began, `validUntil` null = still current. */
export interface KeyPeriod {
  validFrom: string | null;
  validUntil: string | null;
}

export interface RegisteredKey {
  keyId: string;
  publicKeyPem: string;
  verifierKey: string;
  publicKey: KeyObject;
  periods: KeyPeriod[];
}

/** One activation as `GET /v1/audit/public-keys` lists it. */
export interface KeyActivation {
  keyId: string;
  publicKeyPem: string;
  verifierKey: string;
  activatedAt: string;
  validFrom: string | null;
  validUntil: string | null;
  current: boolean;
}

/** Whether `instant` (ISO) lies in one of the key's periods: validFrom ≤ instant < validUntil. */
export function validAt(periods: readonly KeyPeriod[], instant: string): boolean {
  const t = Date.parse(instant);
  return periods.some((p) => (p.validFrom === null || Date.parse(p.validFrom) <= t) && (p.validUntil === null || t < Date.parse(p.validUntil)));
}

/** The activation in `event`, when it is one and its keyId is the hash of the key it names. */
function believable(event: RecordedEvent): TreeHeadKeyActivatedData | undefined {
  const parsed = TreeHeadKeyActivatedData.safeParse(event.data);
  if (event.type !== KEY_EVENT || !parsed.success) return undefined;
  try {
    return keyIdOf(createPublicKey(parsed.data.publicKeyPem)) === parsed.data.keyId ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function createKeyRegistry(deps: { store: EventStore; logger: Logger; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  const activations: TreeHeadKeyActivatedData[] = [];
  const follower = followStream(deps.store, KEY_STREAM, (event) => {
    const data = believable(event);
    if (data) activations.push(data);
    else deps.logger.error({ stream: KEY_STREAM, revision: event.revision }, 'a registered tree-head key is malformed or its keyId is not its key: ignored');
  });
  const refresh = follower.refresh;

  function listed(): KeyActivation[] {
    return activations.map((a, i) => ({
      ...a,
      validFrom: i === 0 ? null : a.activatedAt,
      validUntil: activations[i + 1]?.activatedAt ?? null,
      current: i === activations.length - 1,
    }));
  }

  function keys(): Map<string, RegisteredKey> {
    const byId = new Map<string, RegisteredKey>();
    for (const a of listed()) {
      const known = byId.get(a.keyId);
      if (known) known.periods.push({ validFrom: a.validFrom, validUntil: a.validUntil });
      else {
        byId.set(a.keyId, {
          keyId: a.keyId,
          publicKeyPem: a.publicKeyPem,
          verifierKey: a.verifierKey,
          publicKey: createPublicKey(a.publicKeyPem),
          periods: [{ validFrom: a.validFrom, validUntil: a.validUntil }],
        });
      }
    }
    return byId;
  }

  return {
    /** Every activation, oldest first. */
    async list(): Promise<KeyActivation[]> {
      await refresh();
      return listed();
    },
    /** Every key ever registered, by keyId, with its periods of validity. */
    async all(): Promise<Map<string, RegisteredKey>> {
      await refresh();
      return keys();
    },
    /** The registered key with this keyId (what a head's `keyId` names), or undefined. */
    async byId(keyId: string): Promise<RegisteredKey | undefined> {
      await refresh();
      return keys().get(keyId);
    },
    /**
     * Registers `key` as the signing key from now on, unless it is already the latest registered.
     * Called on start, before anything is signed with it.
     */
    async activate(key: TreeHeadKey, verifierKey: string, request: { actorId: string; actorRole: string; correlationId: string }): Promise<{ activated: boolean }> {
      for (let attempt = 0; ; attempt++) {
        await refresh();
        const latest = activations.at(-1);
        if (latest?.keyId === key.keyId) return { activated: false };
        const data: TreeHeadKeyActivatedData = { keyId: key.keyId, publicKeyPem: key.publicKeyPem, verifierKey, activatedAt: now().toISOString() };
        try {
          await deps.store.append(KEY_STREAM, [{ id: randomUUID(), type: KEY_EVENT, schemaVersion: 1, data, metadata: request }], {
            expectedRevision: follower.expectedRevision(),
          });
        } catch (err) {
          // Another process registered a key at the same moment: look again.
          if (attempt < 3 && isAppError(err) && err.code === 'CONCURRENCY_CONFLICT') continue;
          throw err;
        }
        deps.logger.info({ keyId: key.keyId, previousKeyId: latest?.keyId ?? null }, 'tree-head signing key activated');
        await refresh();
        return { activated: true };
      }
    },
  };
}

export type KeyRegistry = ReturnType<typeof createKeyRegistry>;
