import { check, type DoctorCheck, type DoctorContext } from './check.js';
import { servingFilesOf } from './gitops.js';
import type { ResolvedConfig } from '../config/index.js';

/** GitHub Actions pitfalls: S3 without credentials or OIDC, and GITHUB_TOKEN pushes that start no workflow. */
export function githubChecks(ctx: DoctorContext, cfg: ResolvedConfig): DoctorCheck[] {
  const out: DoctorCheck[] = [];
  const usesS3 = cfg.registry.startsWith('s3://') || cfg.artifacts.kind === 's3';
  if (usesS3 && !ctx.env.AWS_ACCESS_KEY_ID && !ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL)
    out.push(
      check(
        'permissions',
        'fail',
        'S3 is used but there are no AWS credentials and no OIDC token endpoint',
        'add `permissions: id-token: write` and aws-actions/configure-aws-credentials (role-to-assume)',
      ),
    );
  else
    out.push(
      check(
        'permissions',
        'ok',
        usesS3 ? 'AWS credentials or an OIDC token are available' : 'no cloud credentials needed',
      ),
    );
  if (servingFilesOf(cfg).length)
    out.push(
      check(
        'push trigger',
        'warn',
        `rollout commits are pushed with ${cfg.git.push ? 'git.push' : '--push'} by GITHUB_TOKEN: such pushes do not start other workflows`,
        'fine for Argo CD / Flux (they poll git); to trigger workflows, push with a GitHub App token or a deploy key; the job also needs `permissions: contents: write`',
      ),
    );
  return out;
}
