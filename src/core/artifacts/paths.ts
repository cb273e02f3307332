/**
 * The one rule for a path inside a version (issue 11.5), applied when registering, verifying and
 * pulling, so that whatever registers can be pulled and a tampered manifest can never write outside
 * the target folder: relative, '/'-separated, no empty, '.' or '..' segment, no backslash (a
 * separator on Windows), no control character. Names like `..dots` or `...` are fine.
 */
export function pathProblem(p: string): string | null {
  if (p === '') return 'it is empty';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'it is absolute';
  if (p.includes('\\')) return 'it contains a backslash (a path separator on Windows)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(p)) return 'it contains a control character';
  for (const seg of p.split('/')) {
    if (seg === '') return 'it has an empty segment (//, or a leading or trailing /)';
    if (seg === '..') return "it has a '..' segment";
    if (seg === '.') return "it has a '.' segment";
  }
  return null;
}

/** True when `rel` (from path.relative(root, x)) leaves root: '..' as a whole segment, not a name starting with dots. */
export function escapesRoot(rel: string, sep: string): boolean {
  return rel === '..' || rel.startsWith(`..${sep}`) || rel.startsWith('/') || /^[A-Za-z]:/.test(rel);
}
