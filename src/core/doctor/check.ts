import { MlctlError } from '../errors.js';
import type { ResolvedConfig } from '../config/index.js';
import type { AdrContext } from '../adr/adr-ops.js';
import type { Clock } from '../../ports/clock.js';
import type { Registry } from '../../ports/registry.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { GitOps } from '../../ports/gitops.js';
import type { Exec } from '../../ports/exec.js';

export interface DoctorCheck {
  check: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  /** What to do about it (empty when ok). */
  fix: string;
}

/** Everything doctor probes, each opened lazily so one failure does not hide the next. */
export interface DoctorContext {
  cwd: string;
  env: Record<string, string | undefined>;
  clock: Clock;
  config(): Promise<ResolvedConfig>;
  registry(): Promise<Registry>;
  artifacts(): Promise<BlobStore>;
  gitops(dir: string): Promise<GitOps>;
  exec(): Promise<Exec>;
  adr(): Promise<AdrContext>;
  /** Check the registry with integrity_check (slower) instead of quick_check. */
  full?: boolean;
}

export const check = (name: string, status: DoctorCheck['status'], detail: string, fix = ''): DoctorCheck => ({
  check: name,
  status,
  detail,
  fix,
});

/** The first line of an error's message, as a check's detail. */
export const why = (err: unknown): string =>
  (err instanceof MlctlError ? err.message : (err as Error).message).split('\n')[0]!;

export const inActions = (ctx: DoctorContext): boolean => ctx.env.GITHUB_ACTIONS === 'true';
