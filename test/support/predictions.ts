import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Deterministic paired predictions: a baseline and a candidate whose scores are shifted by `shift`. */
export function writePredictions(
  dir: string,
  o: { n?: number; shift?: number; seed?: number; countries?: string[] } = {},
): { cand: string; base: string } {
  const n = o.n ?? 600;
  let s = o.seed ?? 42;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  const countries = o.countries ?? ['US', 'US', 'US', 'DE', 'FR'];
  let a = 'id,label,score,country\n';
  let b = a;
  for (let i = 0; i < n; i++) {
    const y = rnd() < 0.35 ? 1 : 0;
    const z = gauss() + (y ? 1.2 : 0);
    const c = countries[Math.floor(rnd() * countries.length)];
    const shift = o.shift ?? 0;
    a += `r${i},${y},${sig(z + (y ? shift : -shift) + 0.3 * gauss()).toFixed(6)},${c}\n`;
    b += `r${i},${y},${sig(z + 0.3 * gauss()).toFixed(6)},${c}\n`;
  }
  const cand = join(dir, 'cand.csv');
  const base = join(dir, 'base.csv');
  writeFileSync(cand, a);
  writeFileSync(base, b);
  return { cand: 'cand.csv', base: 'base.csv' };
}
