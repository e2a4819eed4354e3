/**
 * Money is integer fen end to end: shown in yuan (or 万元), entered in yuan and converted to fen
 * by string arithmetic, never through a floating-point number. Amounts beyond 2^53 − 1 fen arrive
 * as strings of digits and are handled as BigInt.
 */
export type Fen = number | string | bigint;

function toBig(fen: Fen): bigint {
  if (typeof fen === 'bigint') return fen;
  if (typeof fen === 'number') {
    if (!Number.isSafeInteger(fen)) throw new RangeError(`not an integer number of fen: ${fen}`);
    return BigInt(fen);
  }
  if (!/^-?\d+$/.test(fen)) throw new RangeError(`not an integer number of fen: ${fen}`);
  return BigInt(fen);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 123456789 fen → "¥1,234,567.89"; negative amounts "-¥…". */
export function formatYuan(fen: Fen | null | undefined): string {
  if (fen === null || fen === undefined || fen === '') return '—';
  const v = toBig(fen);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, '0');
  return `${neg ? '-' : ''}¥${groupThousands(yuan.toString())}.${cents}`;
}

/** 123456789 fen → "123.4568 万元" (four decimals: exact to the yuan, as reports write it; trailing zeros dropped). */
export function formatWan(fen: Fen | null | undefined, unit = '万元'): string {
  if (fen === null || fen === undefined || fen === '') return '—';
  const v = toBig(fen);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  // 1 万元 = 1,000,000 fen; show to 0.0001 万元 (1 yuan), rounding half up on the fen below it.
  const yuan = (abs + 50n) / 100n;
  const whole = yuan / 10_000n;
  const frac = (yuan % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${groupThousands(whole.toString())}${frac ? `.${frac}` : ''} ${unit}`;
}

/**
 * "1,234,567.89" (or "¥1234567.8", "1234567") yuan → fen as a string of digits, exactly; undefined
 * when it is not an amount of yuan with at most two decimals. Full-width digits are folded.
 */
export function parseYuan(input: string): string | undefined {
  const s = input.normalize('NFKC').trim().replace(/^[¥￥]/, '').replace(/[,\s]/g, '').replace(/元$/, '');
  const m = /^(\d{1,16})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return undefined;
  const fen = BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0') || '0');
  return fen.toString();
}

/** Fen (string of digits) as a JSON value the API takes: a number when safe, else the string. */
export function fenForApi(fen: string): number | string {
  const n = Number(fen);
  return Number.isSafeInteger(n) ? n : fen;
}

/** Fen → yuan text for an input box ("1234567.89"), the inverse of parseYuan. */
export function fenToYuanInput(fen: Fen): string {
  const v = toBig(fen);
  const abs = v < 0n ? -v : v;
  return `${v < 0n ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** "2026-12-02" (or an ISO instant) → "2026年12月2日" in Chinese, "2 Dec 2026" in English; instants in Beijing time. */
export function formatDate(value: string | null | undefined, lang: 'zh' | 'en'): string {
  if (!value) return '—';
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : shanghaiDate(value);
  if (!day) return value;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  if (lang === 'zh') return `${y}年${m}月${d}日`;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d} ${months[m - 1]} ${y}`;
}

/** An ISO instant → "2026年12月2日 14:03" (Beijing time). */
export function formatDateTime(value: string | null | undefined, lang: 'zh' | 'en'): string {
  if (!value) return '—';
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) return value;
  const bj = new Date(t.getTime() + 8 * 3600_000).toISOString();
  return `${formatDate(bj.slice(0, 10), lang)} ${bj.slice(11, 16)}`;
}

/** The Beijing calendar date of an instant. */
export function shanghaiDate(iso: string): string | undefined {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return undefined;
  return new Date(t.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

/** Today in Beijing. */
export function todayInShanghai(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}
