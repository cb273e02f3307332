import { UsageError } from '../../core/errors.js';

/** For repeatable flags: --tag a=1 --tag b=2. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function positiveInt(flag: string) {
  return (value: string): number => {
    if (!/^[0-9]+$/.test(value) || Number(value) < 1)
      throw new UsageError(`${flag} must be a positive whole number, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

export function short(digest: string | null | undefined, n = 12): string {
  if (!digest) return '-';
  const hex = digest.startsWith('sha256:') ? digest.slice(7) : digest;
  return `${digest.startsWith('sha256:') ? 'sha256:' : ''}${hex.slice(0, n)}`;
}

export function fmtNum(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return '-';
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(digits + 2)).toString();
}

export function signed(v: number | null, digits = 4): string {
  if (v === null) return '-';
  const s = fmtNum(v, digits);
  return v > 0 ? `+${s}` : s;
}
