import { afterEach, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { run } from '../support/helpers.js';
import { gitopsProject } from '../support/gitops-project.js';

/** Issue 11.6: an aborted rollout returns the candidate to the status it had before the rollout. */
const json = (s: string) => JSON.parse(s);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const T0 = Date.parse('2026-11-23T10:00:00Z');
const at = (minutes: number) => ({ MLCTL_NOW: new Date(T0 + minutes * 60_000).toISOString() });
const CONFIG = `serving:
  fraud: { adapter: generic, files: [deploy/fraud.yaml], plan: quick }
rollout:
  plans:
    quick:
      - { stage: canary, weight: 10, minDuration: 30m }
      - { stage: full }
`;

describe('aborting a rollout restores the candidate status', () => {
  it('an archived version forced into a rollout and aborted is archived again, not validated', async () => {
    const p = await gitopsProject({ adapter: 'generic', config: CONFIG });
    dirs.push(p.dir, p.remote);
    const status = async (ref: string) => json((await run(['show', ref, '--json'], { cwd: p.dir })).stdout).data.status;
    expect((await run(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) })).code).toBe(0);
    expect((await run(['archive', 'fraud@2'], { cwd: p.dir, env: at(1) })).code).toBe(0);
    const start = await run(['promote', 'fraud@2', '--force', '--reason', 'bring it back for a test'], {
      cwd: p.dir,
      env: at(2),
    });
    expect(start.code, start.stderr).toBe(0);
    expect(await status('fraud@2')).toBe('staging');
    const rb = await run(['rollback', 'fraud', '--yes', '--reason', 'not this one'], { cwd: p.dir, env: at(3) });
    expect(rb.code, rb.stderr).toBe(0);
    expect(await status('fraud@2')).toBe('archived');
  });
});
