import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

/** Escaping exactly as @actions/core does for workflow commands. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
  title?: string;
}

const MAX_PER_TYPE = 10;

/** `::error file=…,line=…::message` lines, at most 10 per type, then one notice counting the rest. */
export function annotations(list: Annotation[]): string {
  const out: string[] = [];
  const left: Record<string, number> = {};
  const count: Record<string, number> = {};
  for (const a of list) {
    count[a.level] = (count[a.level] ?? 0) + 1;
    if (count[a.level]! > MAX_PER_TYPE) {
      left[a.level] = (left[a.level] ?? 0) + 1;
      continue;
    }
    const props = [
      a.file ? `file=${escapeProperty(a.file)}` : '',
      a.line ? `line=${a.line}` : '',
      a.title ? `title=${escapeProperty(a.title)}` : '',
    ]
      .filter(Boolean)
      .join(',');
    out.push(`::${a.level}${props ? ` ${props}` : ''}::${escapeData(a.message)}`);
  }
  const omitted = Object.entries(left).map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`);
  if (omitted.length)
    out.push(
      `::notice::${escapeData(`${omitted.join(' and ')} left out (at most ${MAX_PER_TYPE} annotations per type); see the job summary`)}`,
    );
  return out.length ? `${out.join('\n')}\n` : '';
}

const SUMMARY_LIMIT = 1024 * 1024;

/** Append Markdown to $GITHUB_STEP_SUMMARY, cut to stay under GitHub's 1 MiB limit. */
export function appendStepSummary(file: string, markdown: string): void {
  let text = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
  if (Buffer.byteLength(text) > SUMMARY_LIMIT - 1024) {
    const note = '\n\n_…summary cut to stay under GitHub’s 1 MiB limit; the full report is in the JSON output._\n';
    text = `${Buffer.from(text)
      .subarray(0, SUMMARY_LIMIT - 1024 - note.length)
      .toString('utf8')
      .replace(/\uFFFD*$/, '')}${note}`;
  }
  appendFileSync(file, text);
}

/** Write step outputs to $GITHUB_OUTPUT; multi-line values use a random heredoc delimiter. */
export function writeOutputs(file: string, outputs: Record<string, string>): void {
  let text = '';
  for (const [k, v] of Object.entries(outputs)) {
    if (!v.includes('\n') && !v.includes('\r')) text += `${k}=${v}\n`;
    else {
      const delim = `ghadelimiter_${randomUUID()}`;
      text += `${k}<<${delim}\n${v}\n${delim}\n`;
    }
  }
  appendFileSync(file, text);
}
