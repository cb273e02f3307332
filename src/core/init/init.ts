import { collectAnswers, type InitFlags } from './answers.js';
import { initDefaults, planFiles, writeFiles, type InitPlan, type InitResult } from './files.js';
import type { Clock } from '../../ports/clock.js';
import type { Prompter } from '../../ports/prompter.js';

export type { InitFlags } from './answers.js';
export type { InitPlan, InitResult } from './files.js';

export interface InitContext {
  cwd: string;
  clock: Clock;
  /** Asks on a terminal; null without one (or in CI, or with --yes): every answer must come from a flag. */
  prompter: Prompter | null;
  ci: boolean;
  /** A shipped template by its path under templates/. */
  template(name: string): string;
}

/** The answers (flags, defaults, questions) and the files they make; nothing is written. */
export async function planInit(ctx: InitContext, flags: InitFlags & { force?: boolean }): Promise<InitPlan> {
  const d = initDefaults(ctx.cwd);
  const answers = await collectAnswers(flags, d, ctx.prompter, ctx.ci);
  const plan = planFiles(
    ctx.cwd,
    answers,
    d,
    (name) => ctx.template(name),
    !!flags.force,
    ctx.clock.now().toISOString().slice(0, 10),
  );
  if (!ctx.prompter) return plan;
  const listing = plan.files
    .map((f) => `  ${f.action === 'keep' ? 'keep  ' : f.action === 'overwrite' ? 'OVERWRITE' : 'create'} ${f.path}`)
    .join('\n');
  return {
    ...plan,
    confirm: {
      question: 'Write these files?',
      what: 'mlctl init',
      flag: '--yes',
      defaultAnswer: true,
      preamble: `\nmlctl init will write in ${ctx.cwd}:\n${listing}\n`,
      refused: 'not confirmed; nothing written',
    },
  };
}

/**
 * Write the files, then create and migrate a local registry so read commands work straight away
 * (a shared one on S3 is created by its first write).
 */
export async function applyInit(plan: InitPlan, createRegistry: () => Promise<void>): Promise<InitResult> {
  const r = writeFiles(plan);
  if (!plan.answers.registry.startsWith('s3://')) await createRegistry();
  return r;
}
