import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { findConfig, type ResolvedConfig } from '../config/index.js';
import { loadCurrentPolicy } from '../gates/current-policy.js';
import { lintAdrs } from '../adr/adr-ops.js';
import { check, why, type DoctorCheck, type DoctorContext } from './check.js';

/** mlctl.yaml, every section (the same validation every command does). */
export async function configCheck(ctx: DoctorContext): Promise<{ result: DoctorCheck; cfg: ResolvedConfig | null }> {
  try {
    const cfg = await ctx.config();
    const file = cfg.file ?? 'mlctl.yaml';
    const served = Object.keys(cfg.rollout.serving).length;
    return {
      cfg,
      result: check('config', 'ok', `${relative(ctx.cwd, file) || file} is valid (${served} served model(s))`),
    };
  } catch (err) {
    const fix = findConfig(ctx.cwd) ? 'fix mlctl.yaml at the place named' : "run 'mlctl init' here";
    return { cfg: null, result: check('config', 'fail', why(err), fix) };
  }
}

export function gatePolicyCheck(cfg: ResolvedConfig): DoctorCheck {
  try {
    const policy = loadCurrentPolicy(cfg.root, cfg.gates);
    if (policy) return check('gate policy', 'ok', `${policy.file}: ${policy.policy.gates.length} gate(s)`);
    return check(
      'gate policy',
      'warn',
      'no gate policy: promote will require --force',
      "write gates.yaml ('mlctl init --gates' or templates/gates.yaml)",
    );
  } catch (err) {
    return check('gate policy', 'fail', why(err), 'mlctl gate lint shows every problem with file:line');
  }
}

export async function adrFolderCheck(ctx: DoctorContext): Promise<DoctorCheck> {
  try {
    const { dir } = await ctx.adr();
    const shown = relative(ctx.cwd, dir);
    if (!existsSync(dir))
      return check(
        'ADR folder',
        'warn',
        `${shown} does not exist yet`,
        "mlctl creates it with the first decision; or 'mlctl adr new Record architecture decisions'",
      );
    const problems = lintAdrs(dir);
    if (problems.length)
      return check(
        'ADR folder',
        'warn',
        `${shown}: ${problems.length} problem(s), e.g. ${problems[0]!.file}: ${problems[0]!.problem}`,
        'mlctl adr lint lists them',
      );
    return check('ADR folder', 'ok', shown || dir);
  } catch (err) {
    return check('ADR folder', 'fail', why(err), 'fix adr.dir in mlctl.yaml or the .adr-dir file');
  }
}
