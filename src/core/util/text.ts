/** "1-5, 7, 9-10": compact list of version numbers for error messages. */
export function compactRanges(nums: number[]): string {
  const s = [...nums].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length;) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(j > i ? `${s[i]}-${s[j]}` : `${s[i]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** Candidates within a small edit distance or sharing a prefix, closest first. */
export function closeMatches(word: string, candidates: readonly string[], max = 3): string[] {
  return candidates
    .map((c) => ({ c, d: c.includes(word) || word.includes(c) ? 0 : editDistance(word, c) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(word.length / 3)))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map((x) => x.c);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/**
 * The one way hashes are shortened for people: a digest keeps its algorithm (`sha256:` and 12 hex
 * digits), anything else (a git commit, an event hash) its first 10 characters; '-' for none.
 */
export function shortHash(h: string | null | undefined): string {
  if (!h) return '-';
  return h.startsWith('sha256:') ? h.slice(0, 19) : h.slice(0, 10);
}
