/**
 * Exact rational arithmetic for sizing. Replica counts are ceilings, and a ceiling is where binary
 * floating point bites: 21 QPS ÷ (1 × (1 − 0.3)) is 30 exactly, but in doubles it is
 * 30.000000000000004 and Math.ceil makes it 31; 7% of 300 is 21.000000000000004. So every input is
 * taken as the decimal it is written as (0.3 is 3/10, not the nearest double) and the ceiling is
 * taken on an exact fraction of BigInts. Inputs are few and small; the cost is nil.
 */
export interface Exact {
  /** Numerator and denominator, d > 0, in lowest terms. */
  readonly n: bigint;
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function make(n: bigint, d: bigint): Exact {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

/**
 * A finite number (or decimal text such as Prometheus returns) as the decimal it reads as:
 * String(0.3) is "0.3", so exact(0.3) is 3/10. Doubles print their shortest round-trip decimal.
 */
export function exact(x: number | string): Exact {
  const text = typeof x === 'number' ? String(x) : x.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '') || (typeof x === 'number' && !Number.isFinite(x)))
    throw new RangeError(`not a finite decimal number: ${text}`);
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0) - frac.length;
  let n = BigInt(`${m[2] || '0'}${frac}`);
  let d = 1n;
  if (exp >= 0) n *= 10n ** BigInt(exp);
  else d = 10n ** BigInt(-exp);
  return make(m[1] === '-' ? -n : n, d);
}

export const mul = (a: Exact, b: Exact): Exact => make(a.n * b.n, a.d * b.d);
export const div = (a: Exact, b: Exact): Exact => make(a.n * b.d, a.d * b.n);
export const sub = (a: Exact, b: Exact): Exact => make(a.n * b.d - b.n * a.d, a.d * b.d);

/** The smallest integer ≥ x. */
export function ceil(x: Exact): bigint {
  const q = x.n / x.d; // BigInt division truncates toward zero
  return x.n > 0n && q * x.d !== x.n ? q + 1n : q;
}

/** The nearest double (for display and JSON; never for a ceiling). */
export function toNumber(x: Exact): number {
  const q = x.n / x.d;
  const r = x.n - q * x.d;
  return Number(q) + Number(r) / Number(x.d);
}
