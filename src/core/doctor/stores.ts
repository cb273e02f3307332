import { randomUUID } from 'node:crypto';
import { check, why, type DoctorCheck, type DoctorContext } from './check.js';
import { DamagedError } from '../errors.js';

/** SQLite's own check of the registry file (quick_check, or integrity_check with --full). */
export async function registryIntegrityCheck(ctx: DoctorContext): Promise<DoctorCheck> {
  const name = 'registry integrity';
  try {
    const { checkRegistryIntegrity, describeIntegrity, restoreAdvice } = await import('../registry/integrity.js');
    const location = (await ctx.config()).registry;
    const r = await checkRegistryIntegrity(() => ctx.registry(), { full: !!ctx.full, location });
    const status = 'skipped' in r ? 'skip' : r.ok ? 'ok' : 'fail';
    return check(name, status, describeIntegrity(r), r.ok ? '' : restoreAdvice(location));
  } catch (err) {
    return check(name, 'skip', `not checked: ${why(err)}`);
  }
}

export async function registryCheck(ctx: DoctorContext): Promise<DoctorCheck> {
  try {
    const registry = await ctx.registry();
    const models = await registry.listModels();
    return check('registry', 'ok', `${registry.location}: opened and migrated; ${models.length} model(s)`);
  } catch (err) {
    const missing = /does not exist/.test(why(err));
    return check(
      'registry',
      missing ? 'warn' : 'fail',
      why(err),
      missing
        ? "run 'mlctl init --yes' or register a model"
        : err instanceof DamagedError
          ? 'restore it from a backup or the shared copy (the message says how)'
          : 'check the registry setting and, for s3:// or postgres://, the credentials and endpoint',
    );
  }
}

/** Write, read back and delete a small object: credentials, endpoint and permissions in one probe. */
export async function artifactStoreCheck(ctx: DoctorContext): Promise<DoctorCheck> {
  try {
    const store = await ctx.artifacts();
    const key = `.mlctl-doctor/${randomUUID()}`;
    const probe = new TextEncoder().encode(`mlctl doctor ${ctx.clock.now().toISOString()}`);
    await store.putBytes(key, probe);
    const back = await store.getBytes(key);
    await store.delete(key);
    if (!back || Buffer.compare(Buffer.from(back), Buffer.from(probe)) !== 0)
      return check(
        'artifact store',
        'fail',
        `${store.location}: what was written could not be read back`,
        'check the S3-compatible server and its settings',
      );
    return check('artifact store', 'ok', `${store.location}: write, read and delete work`);
  } catch (err) {
    return check(
      'artifact store',
      'fail',
      why(err),
      'check artifacts/s3 in mlctl.yaml and the AWS credentials (environment, profile or instance role)',
    );
  }
}
