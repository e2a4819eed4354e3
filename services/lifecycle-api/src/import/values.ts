/**
 * Cell values as a bureau clerk types them (or as Excel stores them), turned into what commands
 * take: money in integer fen (parsed from the decimal text, never through floating point),
 * calendar dates, lists, organisations. Each parser answers a value or a reason in Chinese first.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (reason: string): Parsed<never> => ({ ok: false, reason });

/** Full-width digits, separators and spaces as an IME may type them, made ASCII. */
export function halfWidth(text: string): string {
  return text
    .replace(/[\uff10-\uff19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[，]/g, ',')
    .replace(/[．。]/g, '.')
    .replace(/[／]/g, '/')
    .replace(/[－—]/g, '-')
    .replace(/\u3000/g, ' ');
}

/**
 * Yuan as typed, to integer fen: "1,234,567.89", "1234567.8", "¥1,000", "123.4万元" / "123.4万"
 * (ten thousand yuan), "100000元". At most two decimals of a yuan (fen); in 万元 at most six. An
 * Excel number cell arrives as its shortest decimal text (see cellText), so 0.1 + 0.2 never happens.
 */
export function parseYuan(raw: string): Parsed<number> {
  let text = halfWidth(raw).trim().replace(/^[¥￥]\s*/, '').replace(/\s+/g, '');
  let scale = 2; // digits after the point that make fen
  if (/万元?$/.test(text)) {
    text = text.replace(/万元?$/, '');
    scale = 6;
  } else text = text.replace(/元$/, '');
  if (!/^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(text)) {
    return bad(`"${raw}" 不是金额，应写作 1,234,567.89 或 123.4万元 (not an amount in yuan)`);
  }
  const [whole, fraction = ''] = text.replaceAll(',', '').split('.') as [string, string?];
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > scale) return bad(`"${raw}" 精确到分以下 (more precise than a fen)`);
  const digits = `${whole}${fraction.padEnd(scale, '0').slice(0, scale)}`.replace(/^0+(?=\d)/, '');
  if (digits.length > 16) return bad(`"${raw}" 金额过大 (amount too large)`);
  // The domain's Fen is at most 16 digits; past 2^53 a number would not hold them exactly.
  const fen = Number(digits);
  if (!Number.isSafeInteger(fen)) return bad(`"${raw}" 金额过大 (amount too large)`);
  return ok(fen);
}

/** Days between 1899-12-30 and 1970-01-01: Excel's (1900 date system) serial of the Unix epoch. */
const EXCEL_EPOCH_SERIAL = 25569;

/**
 * A calendar date: 2018-05-01, 2018/5/1, 2018.5.1, 2018年5月1日, 20180501, or an Excel date serial
 * (43221 = 2018-05-01). Answers YYYY-MM-DD of a date that exists.
 */
export function parseDate(raw: string): Parsed<string> {
  const text = halfWidth(raw).trim();
  let y: number, m: number, d: number;
  let match = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{5})(\.0+)?$/.exec(text))) {
    const serial = Number(match[1]);
    if (serial <= 60) return bad(`"${raw}" 不是有效日期 (not a date)`);
    const date = new Date((serial - EXCEL_EPOCH_SERIAL) * 86_400_000);
    [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  } else {
    return bad(`"${raw}" 不是日期，应写作 2018-05-01、2018/5/1 或 2018年5月1日 (not a date)`);
  }
  const check = new Date(Date.UTC(y, m - 1, d));
  if (y < 1990 || y > 2100 || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
    return bad(`"${raw}" 不是存在的日期 (no such calendar date)`);
  }
  return ok(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
}

/** A whole number (a quota, a score, a year). */
export function parseInteger(raw: string, min: number, max: number): Parsed<number> {
  const text = halfWidth(raw).trim().replace(/\.0+$/, '');
  if (!/^-?\d{1,9}$/.test(text)) return bad(`"${raw}" 不是整数 (not a whole number)`);
  const value = Number(text);
  if (value < min || value > max) return bad(`${value} 应在 ${min} 到 ${max} 之间 (must be between ${min} and ${max})`);
  return ok(value);
}

/** A list in one cell: items separated by 、；; or line breaks (and commas, unless `keepCommas`). */
export function parseList(raw: string, keepCommas = false): string[] {
  const separators = keepCommas ? /[、;；\n]+/ : /[、,，;；\n]+/;
  return raw
    .split(separators)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

const YES = new Set(['是', '通过', '同意', '合格', 'y', 'yes', 'true', '1', 'pass', 'passed']);
const NO = new Set(['否', '不通过', '未通过', '不同意', '不合格', 'n', 'no', 'false', '0', 'fail', 'failed']);

/** 通过/不通过, 是/否, yes/no. */
export function parseYesNo(raw: string): Parsed<boolean> {
  const text = raw.trim().toLowerCase();
  if (YES.has(text)) return ok(true);
  if (NO.has(text)) return ok(false);
  return bad(`"${raw}" 应为 通过/不通过 或 是/否 (must be yes or no)`);
}

/** "名称（统一社会信用代码）" entries, e.g. "浙江阀门有限公司（52331000MA2K12345W）；台州大学(12331000470000001L)". */
export function parseOrganisations(raw: string): Parsed<Array<{ name: string; creditCode: string }>> {
  const out: Array<{ name: string; creditCode: string }> = [];
  for (const item of parseList(raw, true)) {
    const match = /^(.+?)\s*[（(]\s*([0-9A-Za-z]{18})\s*[)）]$/.exec(item);
    if (!match) return bad(`"${item}" 应写作 名称（统一社会信用代码） (write each as name(credit code))`);
    out.push({ name: match[1]!.trim(), creditCode: match[2]!.toUpperCase() });
  }
  return ok(out);
}

/** "名称：目标" entries (indicators): "效率：额定流量下≥82%；噪声：≤65 dB". */
export function parseIndicators(raw: string): Parsed<Array<{ name: string; target: string }>> {
  const out: Array<{ name: string; target: string }> = [];
  for (const item of parseList(raw, true)) {
    const at = item.search(/[:：]/);
    if (at <= 0 || at === item.length - 1) return bad(`"${item}" 应写作 指标：目标值 (write each as name: target)`);
    out.push({ name: item.slice(0, at).trim(), target: item.slice(at + 1).trim() });
  }
  return ok(out);
}
