import { UsageError } from '../errors.js';

/**
 * `mlctl/<model>/<rollout>-<stage>`: one branch per step, so a step's pull request is found again
 * after a crash by its branch alone. Stage is a slug such as canary-5, full, abort or rollback.
 */
export function stepBranch(model: string, rollout: number | string, stage: string): string {
  const name = `mlctl/${model}/${rollout}-${stage}`;
  // The rules of git check-ref-format that these parts could break (model names and slugs are
  // validated elsewhere; this keeps a bad caller from handing git a name it would refuse).
  if (
    !/^[A-Za-z0-9._/-]+$/.test(name) ||
    /\.\.|\/\.|\/\/|\.lock(\/|$)|\.$|^-|\/-/.test(name) ||
    !/^[A-Za-z0-9]/.test(String(rollout))
  )
    throw new UsageError(
      `cannot name a branch after model ${JSON.stringify(model)}, rollout ${rollout}, stage ${stage}`,
    );
  return name;
}
