/**
 * `recordedAt` on EventStoreDB is taken on the client, before the append: the hash covers it and
 * must be computed before the write, and ESDB's own `created` (100 ns ticks, set by the leader)
 * is only known after. So it is the appending process's clock, not the server's, kept
 * non-decreasing along a stream by taking max(now, previous recordedAt).
 */

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})Z$/;

/** Microseconds since the epoch as the port's recordedAt text: UTC, six fraction digits. */
export function formatRecordedAt(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const fraction = String(micros - ms * 1000).padStart(3, '0');
  return `${new Date(ms).toISOString().slice(0, -1)}${fraction}Z`;
}

/**
 * An instant as microseconds since the epoch: a recordedAt, or any ISO 8601 instant a caller
 * gives (`untilRecordedAt`), whose fraction digits beyond the sixth are dropped.
 */
export function instantMicros(text: string): number {
  const exact = ISO.exec(text);
  if (exact) return Date.parse(`${exact[1] ?? ''}Z`) * 1000 + Number(exact[2]);
  const fraction = /(T\d{2}:\d{2}:\d{2})\.(\d+)/.exec(text);
  if (!fraction) return Date.parse(text) * 1000;
  const whole = Date.parse(text.replace(fraction[0], fraction[1] ?? ''));
  return whole * 1000 + Number(`${fraction[2] ?? ''}000000`.slice(0, 6));
}

/** The recordedAt of the next append to a stream: now, but never before the stream's last one. */
export function nextRecordedAt(nowMs: number, previous: string | undefined): string {
  const now = Math.floor(nowMs) * 1000;
  return formatRecordedAt(previous === undefined ? now : Math.max(now, instantMicros(previous)));
}
