import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { check, inActions, why, type DoctorCheck, type DoctorContext } from './check.js';
import type { ResolvedConfig } from '../config/index.js';

export const servingFilesOf = (cfg: ResolvedConfig): string[] =>
  Object.values(cfg.rollout.serving).flatMap((s) => s.files);

/** The serving files exist, sit in a git repository and are committed; in Actions, the checkout has history. */
export async function servingFilesChecks(ctx: DoctorContext, cfg: ResolvedConfig): Promise<DoctorCheck[]> {
  const files = servingFilesOf(cfg);
  if (files.length === 0) return [check('git', 'skip', 'no serving files configured', '')];
  const out: DoctorCheck[] = [];
  try {
    const abs = files.map((f) => (isAbsolute(f) ? f : join(cfg.root, f)));
    const missing = abs.filter((f) => !existsSync(f));
    const git = await ctx.gitops(cfg.root);
    const dirty = await git.dirty(abs.filter((f) => existsSync(f)).map((f) => relative(git.root, f)));
    if (missing.length)
      out.push(
        check(
          'serving files',
          'fail',
          `missing: ${missing.map((f) => relative(cfg.root, f)).join(', ')}`,
          'create them from templates/serving/<adapter>.yaml or fix serving.<model>.files',
        ),
      );
    else if (dirty.length)
      out.push(
        check(
          'serving files',
          'warn',
          `uncommitted changes in ${dirty.join(', ')}`,
          'commit or discard them before a rollout step (or pass --allow-dirty)',
        ),
      );
    else out.push(check('serving files', 'ok', `${files.length} file(s) in the git repository ${git.root}, committed`));
    if (inActions(ctx)) {
      const shallow = (
        await (await ctx.exec()).shell('git rev-parse --is-shallow-repository', { cwd: git.root, timeoutMs: 10_000 })
      ).stdout.trim();
      out.push(
        shallow === 'true'
          ? check(
              'checkout depth',
              'fail',
              'the checkout is shallow: rollout commits and lineage need the history',
              'actions/checkout with `fetch-depth: 0`',
            )
          : check('checkout depth', 'ok', 'full history'),
      );
    }
  } catch (err) {
    out.push(
      check('serving files', 'fail', why(err), 'serving configs must live in a git repository (the GitOps repository)'),
    );
  }
  return out;
}
