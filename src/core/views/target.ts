import { UsageError } from '../errors.js';
import { checkModelName, parseRef } from '../refs.js';

/**
 * What `mlctl report` shows: `fraud` (a model), `fraud@3` / `fraud@champion` (a version),
 * `gate-run:12`, `rollout:4`. Model names cannot contain ':' and refs need '@', so the four
 * forms never overlap.
 */
export type ReportTarget =
  | { kind: 'model'; model: string }
  | { kind: 'version'; ref: string }
  | { kind: 'gate-run'; id: number }
  | { kind: 'rollout'; id: number };

const HELP = 'use a model (fraud), a version (fraud@3, fraud@champion), gate-run:<id> or rollout:<id>';

export function parseReportTarget(text: string): ReportTarget {
  const colon = /^([a-z-]+):(.*)$/.exec(text);
  if (colon) {
    const [, kind, id] = colon;
    if (kind !== 'gate-run' && kind !== 'rollout')
      throw new UsageError(`unknown report target ${JSON.stringify(text)}; ${HELP}`);
    if (!/^[1-9][0-9]{0,14}$/.test(id!))
      throw new UsageError(`${kind}:${id}: the id must be a positive whole number, e.g. ${kind}:12`);
    return { kind, id: Number(id) };
  }
  if (text.includes('@')) return { kind: 'version', ref: parseRef(text).text };
  try {
    return { kind: 'model', model: checkModelName(text) };
  } catch {
    throw new UsageError(`invalid report target ${JSON.stringify(text)}; ${HELP}`);
  }
}
