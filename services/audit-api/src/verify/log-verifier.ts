import { computeEventHash, GENESIS_HASH, type HashedEnvelope } from '@gongguan/event-store';
import { MerkleLevels } from '../merkle/levels.js';
import { HEX64, leafHashOfChecked } from '../merkle/tree.js';
import type { VerificationProblem } from './problems.js';

type Verifiable = HashedEnvelope & { hash: string };


/**
 * Verifies the whole log in one pass, in store order: every event's hash recomputes (RFC 8785 +
 * SHA-256), each stream's revisions follow each other with no gap and each `prevHash` is the
 * previous event's hash; and it builds the RFC 6962 tree over the hashes as it goes, to compare
 * with the sealed tree heads. Within a stream store order is revision order, so one pass suffices.
 */
export function createLogVerifier(options: { maxProblems?: number } = {}) {
  const maxProblems = options.maxProblems ?? 100;
  const streams = new Map<string, { next: number; last: string }>();
  const levels = new MerkleLevels();
  const problems: VerificationProblem[] = [];
  let problemCount = 0;

  const report = (p: VerificationProblem): void => {
    problemCount++;
    if (problems.length < maxProblems) problems.push(p);
  };

  function add(event: Verifiable): void {
    const index = levels.size;
    // Built only when there is something to report: this runs once per stored event.
    const at = () => ({ index, eventId: event.id, stream: event.stream, revision: event.revision });
    let state = streams.get(event.stream);
    if (state === undefined) {
      state = { next: 0, last: GENESIS_HASH };
      streams.set(event.stream, state);
    }
    let expectedPrev: string | undefined = state.last;
    if (event.revision !== state.next) {
      expectedPrev = event.revision === 0 ? GENESIS_HASH : undefined;
      if (event.revision > state.next) {
        report({ ...at(), kind: 'revision-gap', detail: `revisions ${state.next}…${event.revision - 1} of ${event.stream} are missing before this event`, expected: String(state.next), actual: String(event.revision) });
      } else {
        report({ ...at(), kind: 'out-of-order', detail: `revision ${event.revision} of ${event.stream} appears again or after revision ${state.next - 1}`, expected: String(state.next), actual: String(event.revision) });
      }
    }
    if (expectedPrev !== undefined && event.prevHash !== expectedPrev) {
      report({ ...at(), kind: 'prev-hash-mismatch', detail: `prevHash is not the hash of the stream's previous event`, expected: expectedPrev, actual: event.prevHash });
    }
    const recomputed = computeEventHash(event);
    if (recomputed !== event.hash) {
      report({ ...at(), kind: 'hash-mismatch', detail: 'the stored hash does not match the event recomputed from its stored bytes', expected: recomputed, actual: event.hash });
    }
    state.next = event.revision + 1;
    state.last = event.hash;
    if (!HEX64.test(event.hash)) {
      report({ ...at(), kind: 'malformed-hash', detail: 'the stored hash is not 64 lower-case hex digits', actual: event.hash });
      levels.push(leafHashOfChecked(recomputed));
    } else {
      levels.push(leafHashOfChecked(event.hash));
    }
  }

  return {
    add,
    levels,
    report,
    problems,
    get problemCount() {
      return problemCount;
    },
    get count() {
      return levels.size;
    },
    get streamCount() {
      return streams.size;
    },
    /** Each stream's last revision and hash so far (what a stream-head tree of this size holds). */
    streamHeads(): Array<{ stream: string; revision: number; hash: string }> {
      return [...streams].map(([stream, s]) => ({ stream, revision: s.next - 1, hash: s.last }));
    },
  };
}

export type LogVerifier = ReturnType<typeof createLogVerifier>;
