import { UsageError } from '../errors.js';
import type { MoveResult, RegistryMover } from '../../ports/registry-mover.js';
import { registryScheme, resolveRegistry } from './location.js';
import { planTransfer } from './transfer-plan.js';

export interface TransferDeps {
  mover: RegistryMover;
  /** The configured registry (mlctl.yaml, MLCTL_REGISTRY, --registry), resolved: the default other end. */
  configured(): Promise<string>;
  /** Relative file paths on the command line are relative to here. */
  cwd: string;
}

export type TransferRequest =
  | { direction: 'push'; source: string; to?: string; force: boolean }
  | { direction: 'pull'; local: string; from?: string; force: boolean };

/**
 * `registry push <source> [--to]` and `registry pull <local-file> [--from]`: resolve both ends (a
 * missing one is the configured registry), refuse a copy onto itself, and move the whole registry.
 */
export async function transferRegistry(d: TransferDeps, req: TransferRequest): Promise<MoveResult> {
  let from: string;
  let to: string;
  if (req.direction === 'push') {
    from = resolveRegistry(req.source, d.cwd, 'the source');
    to = req.to !== undefined ? resolveRegistry(req.to, d.cwd, '--to') : await d.configured();
  } else {
    if (registryScheme(req.local, 'the local file') !== 'file')
      throw new UsageError(
        `registry pull writes a local SQLite file, not ${req.local.replace(/\/\/[^/@]*@/, '//…@')}; to copy into S3 or PostgreSQL use mlctl registry push <source> --to <target>`,
      );
    to = resolveRegistry(req.local, d.cwd, 'the local file');
    from = req.from !== undefined ? resolveRegistry(req.from, d.cwd, '--from') : await d.configured();
  }
  return d.mover.move(planTransfer(from, to), { force: req.force });
}
