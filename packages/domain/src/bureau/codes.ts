import { z } from 'zod';

/**
 * A bureau is named by the administrative division code of its government (GB/T 2260): six ASCII
 * digits, `XX0000` a province, `XXYY00` a city, anything else a county-level division (county,
 * district 区, county-level city).
 */
export const BureauCode = z.string().regex(/^[1-9][0-9]{5}$/, '必须是六位行政区划代码 (must be a 6-digit GB/T 2260 code, e.g. 331000)');
export type BureauCode = z.infer<typeof BureauCode>;

export const bureauLevels = ['province', 'city', 'county'] as const;
export const BureauLevel = z.enum(bureauLevels);
export type BureauLevel = z.infer<typeof BureauLevel>;

/**
 * The bureau every fact recorded before bureaus existed belongs to: 台州市科学技术局 (Taizhou).
 * Upcasters fill it in; its R2/R3 ledgers keep their old stream names.
 */
export const LEGACY_BUREAU_CODE = '331000';

/** The level of a bureau from its code alone. */
export function bureauLevel(code: string): BureauLevel {
  if (code.slice(2) === '0000') return 'province';
  if (code.slice(4) === '00') return 'city';
  return 'county';
}

/** A level's rank: the province is highest (0). */
export function levelRank(level: BureauLevel): number {
  return bureauLevels.indexOf(level);
}

/** The province (`XX0000`) a code lies in. */
export function provinceOf(code: string): string {
  return `${code.slice(0, 2)}0000`;
}

/** The parent the code itself names: county `331002` → city `331000`, city `331000` → province `330000`, province → null. */
export function defaultParent(code: string): string | null {
  switch (bureauLevel(code)) {
    case 'province':
      return null;
    case 'city':
      return provinceOf(code);
    case 'county':
      return `${code.slice(0, 4)}00`;
  }
}

/**
 * The path of a code from the code alone, by default parents: `330000`, `330000.331000`,
 * `330000.331000.331002`. The path of any code the registry does not know (the legacy fallback).
 */
export function derivedPath(code: string): string {
  const parent = defaultParent(code);
  return parent === null ? code : `${derivedPath(parent)}.${code}`;
}

/** Whether a bureau with path `path` lies within the scope with path `scopePath` (itself included). */
export function isPathWithin(path: string, scopePath: string): boolean {
  return path === scopePath || path.startsWith(`${scopePath}.`);
}

const levelNames: Record<BureauLevel, string> = { province: '省', city: '市', county: '县（区）' };

/** 省 / 市 / 县（区）: how a level reads in a message. */
export function levelName(level: BureauLevel): string {
  return levelNames[level];
}
