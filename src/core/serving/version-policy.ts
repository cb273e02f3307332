import { UsageError } from '../errors.js';
import { insertFields, replaceField, setRepeatedScalars, type Edit, type Out } from './textproto/edit.js';
import type { TpDocument, TpField, TpMessage } from './textproto/parse.js';
import { failAt, messageOf, only, repeatedValues, versionOf } from './textproto/query.js';
import type { TrafficTarget } from './types.js';

/*
 * The version policy both model servers share (TF Serving's ServableVersionPolicy, Triton's
 * ModelVersionPolicy): a oneof of latest, all and specific { repeated int64 versions }.
 */

export interface VersionPolicy {
  field: TpField | null;
  /** What `specific` loads; null for latest/all/no policy (then the folders decide, which a file cannot tell). */
  loaded: number[] | null;
  kind: 'specific' | 'latest' | 'all' | 'none';
}

const CHOICES = ['latest', 'all', 'specific'];

export function readPolicy(doc: TpDocument, entry: TpMessage, name: string): VersionPolicy {
  const field = only(doc, entry, name);
  if (!field) return { field, loaded: null, kind: 'none' };
  const chosen = messageOf(doc, field).fields.filter((f) => CHOICES.includes(f.name));
  if (chosen.length > 1) throw failAt(doc, chosen[1]!, `${name}: give one of latest, all or specific (a oneof)`);
  const c = chosen[0];
  if (!c) return { field, loaded: null, kind: 'none' };
  if (c.name !== 'specific') return { field, loaded: null, kind: c.name as 'latest' | 'all' };
  const loaded = repeatedValues(doc, messageOf(doc, c), 'versions').map((v) =>
    versionOf(doc, v, `${name}.specific.versions`),
  );
  return { field, loaded, kind: 'specific' };
}

/** How a file family writes a new policy: TF Serving's docs use nested blocks, Triton's one line with a list. */
export interface PolicyStyle {
  colon: boolean;
  list: boolean;
  inline: boolean;
}

/**
 * Edits making `entry`'s policy `specific` with exactly `versions`. An existing specific policy keeps
 * its form (list or repeated fields); another policy is replaced where it stands; a missing one goes
 * after the last of `after` (the entry's identifying fields).
 */
export function writePolicy(
  doc: TpDocument,
  entry: TpMessage,
  name: string,
  versions: number[],
  style: PolicyStyle,
  after: readonly string[],
): Edit[] {
  const p = readPolicy(doc, entry, name);
  const values = versions.map(String);
  if (p.kind === 'specific')
    return setRepeatedScalars(
      doc,
      messageOf(doc, only(doc, messageOf(doc, p.field!), 'specific')!),
      'versions',
      values,
    );
  const specific: Out = {
    name: 'specific',
    colon: style.colon,
    fields: style.list ? [{ name: 'versions', list: values }] : values.map((v) => ({ name: 'versions', scalar: v })),
  };
  const out: Out = { name, colon: p.field ? p.field.colon : style.colon, inline: style.inline, fields: [specific] };
  if (p.field) return [replaceField(doc, entry, p.field, out)];
  const anchor = entry.fields.filter((f) => after.includes(f.name)).pop();
  return [insertFields(doc, entry, [out], anchor)];
}

/** The versions a target keeps loaded, champion first: the candidate stays until the step after full's window. */
export function versionsToLoad(t: TrafficTarget): number[] {
  return [...new Set([t.champion.version, ...(t.candidate ? [t.candidate.version] : [])])];
}

/**
 * The commit after full and its rollback window: only the new champion stays loaded (the old version
 * is unloaded, the candidate's labels settle). The rollout engine asks for this target last.
 */
export function afterWindowTarget(t: TrafficTarget): TrafficTarget {
  return { model: t.model, champion: t.candidate ?? t.champion };
}

/** Servers load `<base>/<version>/`: the base of a materialized version folder is its parent. */
export function basePathOf(v: { version: number; uri: string }, model: string): string {
  const parts = v.uri.replace(/\/+$/, '').split('/');
  const last = parts.pop();
  if (last !== String(v.version) || parts.length === 0)
    throw new UsageError(
      `serving.${model}: version ${v.version} is materialized at ${v.uri}, which does not end in /${v.version}/; model servers load <base_path>/<version>/`,
    );
  return parts.join('/');
}
