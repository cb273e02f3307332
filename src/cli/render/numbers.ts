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
