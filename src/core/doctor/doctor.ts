import { inActions, type DoctorCheck, type DoctorContext } from './check.js';
import { adrFolderCheck, configCheck, gatePolicyCheck } from './project.js';
import { artifactStoreCheck, registryCheck, registryIntegrityCheck } from './stores.js';
import { servingFilesChecks } from './gitops.js';
import { githubChecks } from './github.js';
import { clockCheck, stepsCheck } from './steps.js';

export type { DoctorCheck, DoctorContext } from './check.js';

export interface DoctorReport {
  ok: boolean;
  checks: DoctorCheck[];
}

/**
 * Check the set-up. Each check runs even when an earlier one failed, so one run lists everything
 * to fix; only an unreadable config stops it (nothing else can be located without it).
 */
export async function runDoctor(ctx: DoctorContext): Promise<DoctorReport> {
  const { result, cfg } = await configCheck(ctx);
  const checks = [result];
  if (cfg) {
    checks.push(gatePolicyCheck(cfg));
    checks.push(await registryCheck(ctx));
    checks.push(await registryIntegrityCheck(ctx));
    checks.push(await artifactStoreCheck(ctx));
    checks.push(...(await servingFilesChecks(ctx, cfg)));
    checks.push(await stepsCheck(ctx, cfg));
    checks.push(await clockCheck(ctx));
    checks.push(await adrFolderCheck(ctx));
    if (inActions(ctx)) checks.push(...githubChecks(ctx, cfg));
  }
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}
