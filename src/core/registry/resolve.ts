import { NotFoundError } from '../errors.js';
import { parseRef, type Ref, formatRef } from '../refs.js';
import { closeMatches, compactRanges } from '../util/text.js';
import type { Registry, VersionRecord } from '../../ports/registry.js';

export async function requireModel(registry: Registry, model: string): Promise<{ id: number; name: string }> {
  const m = await registry.findModel(model);
  if (m) return m;
  const names = (await registry.listModels()).map((x) => x.name);
  const close = closeMatches(model, names);
  const hint = close.length
    ? `; did you mean ${close.join(', ')}?`
    : names.length
      ? `; known models: ${names.slice(0, 10).join(', ')}`
      : '; the registry has no models yet';
  throw new NotFoundError(`unknown model ${JSON.stringify(model)}${hint}`);
}

/** Resolve `fraud@3`, `fraud@champion`, `fraud@latest` to a version, or say exactly what exists. */
export async function resolveRef(
  registry: Registry,
  ref: string | Ref,
  opts: { allowBare?: boolean } = {},
): Promise<VersionRecord> {
  const r = typeof ref === 'string' ? parseRef(ref, opts) : ref;
  await requireModel(registry, r.model);
  if (r.kind === 'version') {
    const v = await registry.getVersion(r.model, r.version);
    if (v) return v;
    throw new NotFoundError(
      `${formatRef(r)} does not exist; ${r.model} has versions ${compactRanges(await registry.versionNumbers(r.model))}`,
    );
  }
  if (r.alias === 'latest') {
    const v = await registry.latestVersion(r.model);
    if (v) return v;
    throw new NotFoundError(`${r.model} has no versions yet`);
  }
  const n = await registry.resolveAlias(r.model, r.alias);
  if (n !== undefined) return (await registry.getVersion(r.model, n))!;
  if (r.alias === 'champion')
    throw new NotFoundError(
      `${r.model} has no champion yet; promote a version first (mlctl promote ${r.model}@<version>)`,
    );
  const aliases = await registry.aliases(r.model);
  const list = aliases.length
    ? `; its aliases: ${aliases.map((a) => `${a.alias} → ${a.version}`).join(', ')}`
    : '; it has no aliases';
  throw new NotFoundError(`${r.model} has no alias ${JSON.stringify(r.alias)}${list}`);
}
