import { UsageError } from '../errors.js';
import { VERSION_STATUSES, type ModelSummary, type Registry, type VersionRecord } from '../../ports/registry.js';
import { requireModel } from './resolve.js';
import { parseTag } from './tags.js';
import { checkModelName } from '../refs.js';

export type ListResult =
  | { kind: 'models'; models: ModelSummary[] }
  | {
      kind: 'versions';
      model: string;
      versions: Array<VersionRecord & { aliases: string[]; tags: Record<string, string> }>;
    };

export async function listRegistry(
  registry: Registry,
  opts: { model?: string; status?: string; tag?: string; limit?: number },
): Promise<ListResult> {
  if (opts.status && !(VERSION_STATUSES as readonly string[]).includes(opts.status)) {
    throw new UsageError(
      `--status ${JSON.stringify(opts.status)} is not a status; use one of ${VERSION_STATUSES.join(', ')}`,
    );
  }
  if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1))
    throw new UsageError('--limit must be a positive whole number');
  if (!opts.model) {
    if (opts.status || opts.tag)
      throw new UsageError("--status and --tag filter one model's versions: mlctl list <model> --status …");
    return { kind: 'models', models: await registry.listModels() };
  }
  checkModelName(opts.model);
  await requireModel(registry, opts.model);
  const tag = opts.tag ? parseTag(opts.tag) : undefined;
  const aliases = new Map<number, string[]>();
  for (const a of await registry.aliases(opts.model))
    aliases.set(a.version, [...(aliases.get(a.version) ?? []), a.alias]);
  const versions = await Promise.all(
    (await registry.listVersions(opts.model, { status: opts.status, tag, limit: opts.limit })).map(async (v) => ({
      ...v,
      aliases: aliases.get(v.version) ?? [],
      tags: await registry.tags(v.id),
    })),
  );
  return { kind: 'versions', model: opts.model, versions };
}
