import type { Command } from 'commander';
import { Option } from 'commander';
import { resolve } from 'node:path';
import type { Deps } from '../deps.js';
import { commandCtx, emit, emitVerdict } from '../output.js';
import { UsageError } from '../../core/errors.js';

const OUTPUTS = ['table', 'json', 'markdown', 'github', 'junit'] as const;
type Output = (typeof OUTPUTS)[number];

interface GateOptions {
  against?: string;
  policy?: string;
  eval?: boolean;
  predictions?: string;
  baselinePredictions?: string;
  output?: Output;
  report?: string;
  reportHtml?: string;
}

/** The gate run as a self-contained HTML page (its view model is built from the registry, like `mlctl report`). */
async function writeGateHtml(deps: Deps, gateRunId: number, file: string) {
  const { buildGateRunView } = await import('../../core/views/gate-run.js');
  const { renderView, staticLinks } = await import('../render/html/render.js');
  const { writeHtmlFile } = await import('../render/html/write.js');
  const view = await buildGateRunView(await deps.registry(), gateRunId, deps.clock.now());
  return writeHtmlFile(deps, file, renderView(view, staticLinks));
}

/** The policy file: --policy, else the one in force for the project (gates.policy, else gates.yaml). */
async function policyFile(deps: Deps, flag: string | undefined): Promise<{ path: string; label: string }> {
  if (flag) return { path: resolve(deps.cwd, flag), label: flag };
  const cfg = await deps.config();
  const { currentPolicyLocation } = await import('../../core/gates/current-policy.js');
  return currentPolicyLocation(cfg.root, cfg.gates);
}

export function registerGate(program: Command, deps: Deps): void {
  const gate = program
    .command('gate')
    .description(
      'decide whether a candidate may replace the champion, from a policy of thresholds and statistical tests',
    )
    .argument('<candidate-ref>', 'the version to evaluate, e.g. fraud@4')
    .option('--against <ref>', 'baseline version (default: <model>@champion)')
    .option('--policy <file>', 'gate policy (default: gates.policy in mlctl.yaml, else gates.yaml)')
    .option('--eval', 'pull both versions and run gates.eval.command from mlctl.yaml for each')
    .option(
      '--predictions <file>',
      "candidate's predictions on the evaluation set (CSV, JSONL or Parquet: id,label,score[,prediction][,slice columns])",
    )
    .option('--baseline-predictions <file>', "baseline's predictions on the same rows")
    .addOption(
      new Option('--output <format>', 'report format (default: github in GitHub Actions, else table)').choices(
        OUTPUTS as unknown as string[],
      ),
    )
    .option('--report <file>', 'also write the JSON report to this file')
    .option(
      '--report-html <file>',
      'also write the gate run as a self-contained HTML page (ROC/PR curves, every check)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ mlctl gate fraud@4                                   # registered metrics, same dataset as the champion
  $ mlctl gate fraud@4 --predictions cand.csv --baseline-predictions champ.csv
  $ mlctl gate fraud@4 --predictions cand.csv --baseline-predictions champ.csv --report-html gate.html
  $ mlctl gate fraud@4 --eval --output github            # in GitHub Actions
  $ mlctl gate lint --policy gates.yaml

Exit codes: 0 pass (warnings allowed), 1 a gate failed, 2 invalid policy or input,
3 evaluation command or storage failed, 5 inconclusive (not enough data to decide).`,
    )
    .action(async (candidate: string, opts: GateOptions, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      const cfg = await deps.config();
      const { path, label } = await policyFile(deps, opts.policy);
      // A report that could not be written must not leave a recorded gate run behind it.
      if (opts.reportHtml) (await import('../render/html/write.js')).checkHtmlTarget(deps, opts.reportHtml);
      const { runGate } = await import('../../core/gates/run-gate.js');
      const report = await runGate(
        {
          registry: await deps.registry(),
          clock: deps.clock,
          actor: await deps.actor(),
          cwd: deps.cwd,
          settings: cfg.gates,
          store: () => deps.artifacts(),
          exec: () => deps.exec(),
        },
        {
          candidate,
          against: opts.against,
          policyFile: path,
          policyLabel: label,
          predictions: opts.predictions,
          baselinePredictions: opts.baselinePredictions,
          eval: !!opts.eval,
        },
      );
      const r = await import('../render/gate.js');
      if (opts.report) {
        const { atomicWrite } = await import('../../core/util/atomic-write.js');
        atomicWrite(resolve(deps.cwd, opts.report), `${JSON.stringify(report, null, 2)}\n`);
      }
      // Written whatever the verdict: a failed gate is the run reviewers most want to look at.
      const html = opts.reportHtml ? await writeGateHtml(deps, report.gateRunId, opts.reportHtml) : null;
      const format: Output = ctx.json ? 'json' : (opts.output ?? (ctx.github ? 'github' : 'table'));
      const { ok, outcome, failure } = r.gateExit(report);
      if (format === 'json') {
        ctx.json = true;
        return emitVerdict(ctx, report, () => '', ok, failure, outcome);
      }
      if (format === 'github') {
        ctx.github = true;
        return emitVerdict(
          ctx,
          report,
          () => r.renderGateTable(report),
          ok,
          failure,
          outcome,
          r.gateGithubView(report, html ? { file: html.file, artifact: deps.env.MLCTL_REPORT_ARTIFACT } : null),
        );
      }
      const paint = format === 'table' ? await r.gatePaint(deps.io.color) : undefined;
      const text =
        format === 'markdown'
          ? r.renderGateMarkdown(report)
          : format === 'junit'
            ? r.renderGateJunit(report)
            : r.renderGateTable(report, paint);
      await emitVerdict(ctx, report, () => text, ok, failure, outcome);
    });

  gate
    .command('lint')
    .description('validate a gate policy, reporting file:line for each problem')
    .addHelpText(
      'after',
      '\nExamples:\n  $ mlctl gate lint\n  $ mlctl gate lint --policy policies/fraud-gates.yaml --json',
    )
    .option('--policy <file>', 'policy file (default: gates.policy in mlctl.yaml, else gates.yaml)')
    .action(async (opts: { policy?: string }, cmd: Command) => {
      const ctx = commandCtx(deps, cmd);
      // `gate` has a --policy option too, and commander gives it the flag when it comes after `lint`.
      const flag = opts.policy ?? (cmd.parent?.opts<GateOptions>().policy as string | undefined);
      const { path, label } = await policyFile(deps, flag);
      const { lintPolicyText } = await import('../../core/gates/policy.js');
      const { readInputFile } = await import('../../core/inputs/located-doc.js');
      const { problems, policy } = lintPolicyText(readInputFile(path, label), label);
      const data = { file: label, ok: problems.length === 0, problems, gates: policy?.gates.length ?? 0 };
      if (problems.length === 0) return emit(ctx, data, () => `${label}: ok (${data.gates} gate(s))\n`);
      if (!ctx.json) {
        deps.io.out.write(
          problems
            .map((p) => `${label}${p.line ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}\n`)
            .join(''),
        );
      } else await emit(ctx, data, () => '');
      const e = new UsageError(`${problems.length} problem(s) in ${label}`);
      e.reported = ctx.json;
      throw e;
    });
}
