import type { Command } from 'commander';
import type { Deps } from '../deps.js';
import { commandCtx, emit } from '../output.js';
import { kv, table } from '../render/table.js';
import { decimal } from '../options.js';
import type { CapacityReport, CapacityRequest } from '../../core/capacity/report.js';

interface CapacityOpts {
  peakQps?: number;
  dau?: number;
  requestsPerUser?: number;
  peakRatio?: number;
  qpsPerReplica?: number;
  assumeQpsPerReplica?: number;
  headroom?: number;
  minReplicas?: number;
  maxReplicas?: number;
}

const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 2 });

function render(r: CapacityReport): string {
  const out: string[] = [];
  if (r.version !== null)
    out.push(
      `${r.model}@${r.version}${r.champion !== null ? ` against the champion ${r.model}@${r.champion}` : ' (no champion)'}, plan ${r.plan}\n\n`,
    );
  const peak = r.traffic
    ? `${n(Math.round(r.peak_qps))} QPS (${n(r.traffic.dau)} DAU × ${n(r.traffic.requests_per_user)} requests ÷ 86,400 s × peak ratio ${n(r.traffic.peak_ratio)})`
    : `${n(Math.round(r.peak_qps))} QPS${r.peak_source === 'prometheus' ? ' (from Prometheus)' : ''}`;
  const per = (q: number) => `${n(q)} QPS per replica, ${n(r.headroom * 100)}% headroom, at least ${r.min_replicas}`;
  out.push(
    kv([
      ['Peak', peak],
      ['Replicas', `${r.replicas} (${per(r.qps_per_replica)})`],
      ...(r.champion_qps_per_replica !== null && r.champion_replicas !== null
        ? [['Champion', `${r.champion_replicas} (${per(r.champion_qps_per_replica)})`] as [string, string]]
        : []),
      ...(r.max_replicas !== null ? [['Max replicas', r.max_replicas] as [string, number]] : []),
    ]),
  );
  out.push(`\nPer stage of the ${r.plan} plan (the old champion goes to 0 ${r.scale_down_after} after full):\n`);
  out.push(
    table(
      ['STAGE', 'CANDIDATE', 'CHAMPION', 'TOTAL', ...(r.max_replicas !== null ? ['FITS'] : [])],
      r.stages.map((s) => [
        s.stage === 'scale-down' ? `scale-down (after ${r.scale_down_after})` : s.stage,
        s.candidate_replicas,
        s.champion_replicas,
        s.total_replicas,
        ...(r.max_replicas !== null ? [s.over_max ? `NO (> ${r.max_replicas})` : 'yes'] : []),
      ]),
    ),
  );
  return out.join('');
}

export function registerCapacity(program: Command, deps: Deps): void {
  program
    .command('capacity')
    .description('size serving: peak QPS, replicas, and per rollout stage the candidate’s and the champion’s replicas')
    .argument('[ref]', "size this version (and the model's champion) with serving.<model>.capacity in mlctl.yaml")
    .option('--peak-qps <n>', 'peak requests per second', decimal('--peak-qps'))
    .option('--dau <n>', 'daily active users (with --requests-per-user and --peak-ratio)', decimal('--dau'))
    .option('--requests-per-user <n>', 'requests per user per day', decimal('--requests-per-user'))
    .option('--peak-ratio <n>', 'peak over average request rate (≥ 1)', decimal('--peak-ratio'))
    .option('--qps-per-replica <n>', 'QPS one replica sustains at the latency target', decimal('--qps-per-replica'))
    .option(
      '--assume-qps-per-replica <n>',
      'throughput for a version registered without its throughput metric (reported as a warning)',
      decimal('--assume-qps-per-replica'),
    )
    .option(
      '--headroom <f>',
      'share of each replica kept free, 0 ≤ f < 1 (0.5: run at half capacity)',
      decimal('--headroom'),
    )
    .option('--min-replicas <n>', 'never fewer replicas than this (default 1)', decimal('--min-replicas'))
    .option('--max-replicas <n>', 'flag stages needing more replicas in total than this', decimal('--max-replicas'))
    .addHelpText(
      'after',
      `
peak QPS = DAU × requests per user ÷ 86,400 × peak ratio
replicas = ceil(peak QPS ÷ (QPS per replica × (1 − headroom))), at least --min-replicas
Per stage the candidate gets replicas for its share (shadow mirror p% → p% of the peak, canary or
ramp w% → w%, full → all), the champion keeps its full size until scale-down after full.

Examples:
  $ mlctl capacity --peak-qps 6944 --qps-per-replica 80 --headroom 0.5 --min-replicas 3
  $ mlctl capacity --dau 5000000 --requests-per-user 30 --peak-ratio 4 --qps-per-replica 80 --headroom 0.5
  $ mlctl capacity fraud@4                      # serving.fraud.capacity, fraud@4 against the champion
  $ mlctl capacity fraud@4 --assume-qps-per-replica 60 --json`,
    )
    .action(async (ref: string | undefined, opts: CapacityOpts, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const { capacityReport } = await import('../../core/capacity/report.js');
      const req: CapacityRequest = { ...opts, ...(ref !== undefined ? { ref } : {}) };
      const report = await capacityReport(req, {
        registry: () => deps.registry(),
        rollout: async () => (await deps.settings()).rollout,
        fetch: globalThis.fetch,
      });
      ctx.warnings.push(...report.warnings);
      const { warnings: _w, ...data } = report;
      await emit(ctx, data, () => render(report));
    });
}
