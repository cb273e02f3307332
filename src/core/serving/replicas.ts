import type { Document } from 'yaml';

type Path = Array<string | number>;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Write `n` at `field` of the map at `at`, keeping the resource valid when the author bounded it:
 * a `floor` field beside it (Seldon's minReplicas) wins over a smaller n, and a `ceiling` field
 * (maxReplicas; 0 or absent means unbounded) that would fall below is raised to match. Returns
 * the count written.
 */
export function writeReplicas(
  doc: Document,
  at: Path,
  field: string,
  n: number,
  bounds: { floor?: string; ceiling?: string } = {},
): number {
  const floor = bounds.floor ? doc.getIn([...at, bounds.floor]) : undefined;
  const count = isCount(floor) && floor > n ? floor : n;
  doc.setIn([...at, field], count);
  if (bounds.ceiling) {
    const ceiling = doc.getIn([...at, bounds.ceiling]);
    if (isCount(ceiling) && ceiling > 0 && ceiling < count) doc.setIn([...at, bounds.ceiling], count);
  }
  return count;
}

/** Problems with replica fields at `at` (whole numbers ≥ 0; min ≤ value ≤ max where the max is set). */
export function replicaProblems(
  doc: Document,
  at: Path,
  fields: { value?: string; min?: string; max?: string },
  where: string,
): string[] {
  const out: string[] = [];
  const get = (f?: string) => (f ? doc.getIn([...at, f]) : undefined);
  for (const f of [fields.value, fields.min, fields.max]) {
    const v = get(f);
    if (f && v !== undefined && !isCount(v)) out.push(`${where}.${f} must be a whole number ≥ 0, got ${String(v)}`);
  }
  const [v, min, max] = [get(fields.value), get(fields.min), get(fields.max)];
  if (isCount(min) && isCount(max) && max > 0 && min > max)
    out.push(`${where}.${fields.min} (${min}) must not exceed ${fields.max} (${max})`);
  if (isCount(v) && isCount(min) && v < min)
    out.push(`${where}.${fields.value} (${v}) is below ${fields.min} (${min})`);
  if (isCount(v) && isCount(max) && max > 0 && v > max)
    out.push(`${where}.${fields.value} (${v}) is above ${fields.max} (${max})`);
  return out;
}
