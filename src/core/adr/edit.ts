/** Text edits of ADR files that keep everything else as written. */

/** Add a line at the end of the `## Status` section (nygard) or the front-matter status (madr). */
export function addStatusLine(text: string, line: string): string {
  if (text.startsWith('---\n')) return addMadrLink(text, line);
  const lines = text.split('\n');
  const i = lines.findIndex((l) => /^##\s+Status\s*$/.test(l));
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
  if (/^## More Information\s*$/m.test(text))
    return text.replace(/^## More Information\s*$/m, (h) => `${h}\n\n* ${line}`);
  return `${text.trimEnd()}\n\n## More Information\n\n* ${line}\n`;
}

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
