import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "90s", "30m", "1h30m", "7d" → milliseconds; a bare "0" is zero (no unit needed for nothing). */
export function parseDuration(text: string, what: string): number {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    matched += m[0].length;
  }
  if (text === '' || matched !== text.length) {
    throw new UsageError(`${what}: invalid duration ${JSON.stringify(text)}; use e.g. 90s, 30m, 1h30m, 7d`);
  }
  return total;
}
