import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit } from '../output.js';
import { kv, table } from '../render/table.js';
import { fmtNum } from '../render/numbers.js';
import { formatBytes } from '../../core/util/text.js';
import type { VersionDetail } from '../../core/registry/show.js';
import type { FeatureSchema } from '../../core/inputs/feature-schema.js';
import { formatRef } from '../../core/refs.js';

export function renderVersion(d: VersionDetail): string {
  const out: string[] = [];
  out.push(
    kv([
      ['version', d.ref],
      ['status', d.status],
      ['aliases', d.aliases.join(', ')],
      [
        'tags',
        Object.entries(d.tags)
          .map(([k, v]) => `${k}=${v}`)
          .join(', '),
      ],
      ['description', d.description],
      ['manifest', d.manifestDigest],
      ['data', d.dataHash],
      [
        'code',
        d.code.commit
          ? `${d.code.commit}${d.code.dirty ? ' (dirty)' : ''}${d.code.branch ? ` on ${d.code.branch}` : ''}`
          : null,
      ],
      ['remote', d.code.remote],
      ['parent', d.parent ? formatRef(d.parent) : null],
      ['ADRs', d.adrs.join(', ')],
      ['created', `${d.createdAt} by ${d.createdBy}`],
    ]),
  );
  out.push(`\nFiles (${d.files.length}, ${formatBytes(d.totalSize)}):\n`);
  out.push(
    table(
      ['PATH', 'SIZE', 'SHA256'],
      d.files.map((f) => [f.path, formatBytes(f.size), f.sha256]),
    ),
  );
  if (d.metrics.length) {
    out.push('\nMetrics:\n');
    out.push(
      table(
        ['METRIC', 'SLICE', 'VALUE', 'DATASET'],
        d.metrics.map((m) => [m.name, m.slice ?? '(all)', fmtNum(m.value, 6), m.datasetName ?? m.datasetDigest ?? '-']),
      ),
    );
  }
  const schema = d.featureSchema as FeatureSchema | null;
  if (schema) {
    out.push('\nSchema:\n');
    const rows = [
      ...schema.inputs.map((f) => ['input', f] as const),
      ...schema.outputs.map((f) => ['output', f] as const),
    ];
    out.push(
      table(
        ['SIDE', 'NAME', 'TYPE', 'REQUIRED', 'VALUES'],
        rows.map(([side, f]) => [side, f.name, f.type, f.required ? 'yes' : 'no', f.values?.join(', ') ?? '-']),
      ),
    );
  }
  if (d.config) out.push(`\nConfig:\n${JSON.stringify(d.config, null, 2)}\n`);
  if (d.requirements)
    out.push(
      `\nRequirements: ${d.requirements.split('\n').filter((l) => l.trim() && !l.startsWith('#')).length} line(s) (see --json)\n`,
    );
  return out.join('');
}

export function registerShow(program: Command, deps: Deps): void {
  program
    .command('show')
    .description('show one version: files, metrics, schema, data hash, code commit, config, aliases, tags')
    .argument('<ref>', 'fraud@3, fraud@champion, fraud@latest (a bare name means @latest)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl show fraud@champion\n  $ mlctl show fraud@3 --json | jq .data.metrics',
    )
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { showVersion } = await import('../../core/registry/show.js');
      const d = await showVersion(await deps.registry(), ref);
      await emit(ctx, d, () => renderVersion(d));
    });
}
