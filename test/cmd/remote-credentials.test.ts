import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { run, runOk, tempProject, writeModel } from '../support/helpers.js';
import { redactUrl, redactUrlsIn } from '../../src/core/util/redact-url.js';

/** Issue 11.11: a git remote's credentials (userinfo, query, fragment) are never stored or shown. */
const SECRET_REMOTE = 'https://oauth2:glpat-USERINFO@gitlab.example.com/g/r.git?private_token=QUERYTOKEN#FRAGTOKEN';

describe('git remote credentials (11.11)', () => {
  it('register stores the remote without userinfo, query or fragment; show and lineage never print them', async () => {
    const dir = await tempProject();
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['remote', 'add', 'origin', SECRET_REMOTE], { cwd: dir });
    writeModel(dir, 'model', { 'w.bin': 'weights' });
    await runOk(['register', 'fraud', 'model'], { cwd: dir });
    const shown = await runOk(['show', 'fraud@1', '--json'], { cwd: dir });
    expect(JSON.parse(shown.stdout).data.code.remote).toBe('https://gitlab.example.com/g/r.git');
    for (const args of [
      ['show', 'fraud@1'],
      ['lineage', 'fraud@1', '--json'],
      ['lineage', 'fraud@1'],
    ]) {
      const r = await run(args, { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toMatch(/USERINFO|QUERYTOKEN|FRAGTOKEN/);
    }
  });

  it('redacts every URL form git accepts', () => {
    expect(redactUrl(SECRET_REMOTE)).toBe('https://gitlab.example.com/g/r.git');
    expect(redactUrl('https://ghp_token@github.com/o/r.git')).toBe('https://github.com/o/r.git');
    expect(redactUrl('https://u:p@ss@host/r.git')).toBe('https://host/r.git');
    expect(redactUrl('ssh://git@host:2222/r.git?x=1')).toBe('ssh://host:2222/r.git');
    expect(redactUrl('git@github.com:o/r.git')).toBe('git@github.com:o/r.git');
    expect(redactUrl('git@github.com:o/r.git#token')).toBe('git@github.com:o/r.git');
    expect(redactUrl('/srv/git/r.git')).toBe('/srv/git/r.git');
    expect(redactUrlsIn("fatal: unable to access 'https://a:b@h/r.git?t=1/': refused")).toBe(
      "fatal: unable to access 'https://h/r.git': refused",
    );
  });
});
