/** Text edits of ADR files that keep everything else as written. */
import { HEADER_STATUS, headerStatusIndex } from './files.js';

/** Add a line at the end of the `## Status` section (nygard) or the front-matter status (madr). */
export function addStatusLine(text: string, line: string): string {
  if (text.startsWith('---\n')) return addMadrLink(text, line);
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^##\s+Status\s*$/.test(l));
  if (i < 0 && headerStatusIndex(lines) >= 0) return addListLink(text, '## Links', line);
  if (i < 0) return `${text.trimEnd()}\n\n## Status\n\n${line}\n`;
  let last = i;
  let j = i + 1;
  for (; j < lines.length && !/^#{1,2}\s/.test(lines[j]!); j++) if (lines[j]!.trim()) last = j;
  if (last === i) {
    lines.splice(i + 1, 0, '', line);
    return lines.join('\n');
  }
  lines.splice(last + 1, 0, '', line);
  return lines.join('\n');
}

/** Replace the `Accepted` (or `Proposed`) line with `replacement`; add it when there is none. */
export function replaceAcceptance(text: string, replacement: string): string {
  if (text.startsWith('---\n'))
    return setMadrStatus(
      text,
      replacement.toLowerCase().startsWith('superseded')
        ? replacement.replace(/^Superseded by/, 'superseded by')
        : replacement,
    );
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^##\s+Status\s*$/.test(l));
  if (i >= 0) {
    for (let j = i + 1; j < lines.length && !/^#{1,2}\s/.test(lines[j]!); j++) {
      if (/^(Accepted|Proposed)\s*$/i.test(lines[j]!.trim())) {
        lines[j] = replacement;
        return lines.join('\n');
      }
    }
  }
  // MADR 2 / log4brains: "- Status: accepted" becomes "- Status: superseded by [...]".
  if (i < 0 && setHeaderStatus(lines, lowerFirst(replacement))) return lines.join('\n');
  return addStatusLine(text, replacement);
}

/** Set the single status word (Accepted, Rejected, …) of an ADR, keeping its link lines. */
export function setStatus(text: string, status: string): string {
  if (text.startsWith('---\n')) return setMadrStatus(text, status.toLowerCase());
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^##\s+Status\s*$/.test(l));
  if (i >= 0) {
    for (let j = i + 1; j < lines.length && !/^#{1,2}\s/.test(lines[j]!); j++) {
      if (/^(Accepted|Proposed|Rejected|Deprecated|Draft)\s*$/i.test(lines[j]!.trim())) {
        lines[j] = status;
        return lines.join('\n');
      }
    }
  }
  if (i < 0 && setHeaderStatus(lines, status.toLowerCase())) return lines.join('\n');
  return addStatusLine(text, status);
}

function setMadrStatus(text: string, status: string): string {
  const end = text.indexOf('\n---', 4);
  const fm = text.slice(0, end);
  const rest = text.slice(end);
  const next = /^status:.*$/m.test(fm)
    ? fm.replace(/^status:.*$/m, `status: ${JSON.stringify(status)}`)
    : `${fm}\nstatus: ${JSON.stringify(status)}`;
  return next + rest;
}

function addMadrLink(text: string, line: string): string {
  // MADR keeps links in the body, under a "More Information" section.
  return addListLink(text, '## More Information', line, '*');
}

/** A list item at the top of section `heading` (created at the end when missing). */
function addListLink(text: string, heading: string, line: string, bullet = '-'): string {
  const h = new RegExp(`^${heading}\\s*$`, 'm');
  if (h.test(text)) return text.replace(h, (found) => `${found}\n\n${bullet} ${line}`);
  return `${text.trimEnd()}\n\n${heading}\n\n${bullet} ${line}\n`;
}

/** Replace the value of the "- Status: …" item under the title, keeping its bullet; false when there is none. */
function setHeaderStatus(lines: string[], value: string): boolean {
  const h = headerStatusIndex(lines);
  if (h < 0) return false;
  const m = HEADER_STATUS.exec(lines[h]!)!;
  lines[h] = lines[h]!.slice(0, lines[h]!.length - m[1]!.length) + value;
  return true;
}

// log4brains writes status values in lower case: "superseded by [...]".
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** Append `- line` to the ADR's "## Rollout log" section (created at the end when missing). */
export function appendLog(text: string, line: string): string {
  const lines = text.replace(/\n+$/, '').split('\n');
  const i = lines.findIndex((l) => /^##\s+Rollout log\s*$/.test(l));
  if (i < 0) return `${lines.join('\n')}\n\n## Rollout log\n\n- ${line}\n`;
  let j = i + 1;
  while (j < lines.length && !/^#{1,2}\s/.test(lines[j]!)) j++;
  let last = j - 1;
  while (last > i && !lines[last]!.trim()) last--;
  lines.splice(last + 1, 0, ...(last === i ? ['', `- ${line}`] : [`- ${line}`]));
  return `${lines.join('\n')}\n`;
}
