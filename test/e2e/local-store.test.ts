import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runBin, tempDir, tempProject, writeModel, runBinOk } from '../support/helpers.js';
import { SqliteRegistry } from '../../src/adapters/sqlite/sqlite-registry.js';
import { eventHash, GENESIS_HASH } from '../../src/core/audit/chain.js';

const parse = (s: string) => JSON.parse(s).data;

describe('built binary, local artifact store', () => {
  it('register → pull → verify round-trips bytes exactly', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'weights.bin': Buffer.alloc(300_000, 7), 'nested/deep/tok.json': '{"v":1}' });
    const reg = await runBin(['register', 'fraud', 'model'], { cwd: dir });
    expect(reg).toMatchObject({ code: 0, stdout: 'fraud@1\n' });
    const pull = await runBin(['pull', 'fraud@1', '--to', 'out'], { cwd: dir });
    expect(pull.code).toBe(0);
    expect(readFileSync(join(dir, 'out/nested/deep/tok.json'), 'utf8')).toBe('{"v":1}');
    expect(readFileSync(join(dir, 'out/weights.bin')).equals(Buffer.alloc(300_000, 7))).toBe(true);
    expect(readdirSync(join(dir, 'out')).some((f) => f.includes('mlctl-tmp'))).toBe(false);
    const again = await runBin(['pull', 'fraud@1', '--to', 'out', '--json'], { cwd: dir });
    expect(parse(again.stdout).files.every((f: { action: string }) => f.action === 'up-to-date')).toBe(true);
    expect((await runBin(['verify', 'fraud@1'], { cwd: dir })).stdout).toMatch(/^ok: 1 version\(s\), 2 blob\(s\)/);
  });

  it('verify and pull detect a corrupted and a missing blob, naming the files', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'a.bin': 'aaaa', 'b.bin': 'bbbb' });
    await runBinOk(['register', 'fraud', 'model'], { cwd: dir });
    const show = parse((await runBin(['show', 'fraud@1', '--json'], { cwd: dir })).stdout);
    const [a, b] = show.files as Array<{ path: string; sha256: string }>;
    const blob = (sha: string) => join(dir, '.mlctl/artifacts/blobs/sha256', sha.slice(0, 2), sha);
    writeFileSync(blob(a!.sha256), 'tampered');
    execFileSync('rm', [blob(b!.sha256)]);
    const v = await runBin(['verify', 'fraud@1'], { cwd: dir });
    expect(v.code).toBe(1);
    expect(v.stdout).toMatch(/fraud@1: a.bin: corrupt: stored bytes hash to/);
    expect(v.stdout).toMatch(/fraud@1: b.bin: missing: blob sha256:/);
    expect(v.stderr).toMatch(/2 problem\(s\) found/);
    const vj = await runBin(['verify', '--all', '--json'], { cwd: dir });
    expect(vj.code).toBe(1);
    expect(JSON.parse(vj.stdout)).toMatchObject({
      ok: false,
      data: {
        problems: [
          { path: 'a.bin', problem: 'corrupt' },
          { path: 'b.bin', problem: 'missing' },
        ],
      },
    });
    const pull = await runBin(['pull', 'fraud@1', '--to', 'out'], { cwd: dir });
    expect(pull.code).not.toBe(0);
    expect(pull.stderr).toMatch(/a.bin: stored blob is corrupt|b.bin.*missing/);
    expect(existsSync(join(dir, 'out/a.bin'))).toBe(false);
  });

  it('pull refuses manifest paths that escape the target folder', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'ok.bin': 'fine' });
    await runBinOk(['register', 'fraud', 'model'], { cwd: dir });
    // Tamper with the registry as an attacker with write access to it could.
    const db = new Database(join(dir, '.mlctl/registry.db'));
    db.prepare("UPDATE artifacts SET path = '../../escaped.txt'").run();
    db.close();
    const r = await runBin(['pull', 'fraud@1', '--to', 'out'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing unsafe path "..\/..\/escaped.txt"/);
    expect(existsSync(join(dir, '..', 'escaped.txt'))).toBe(false);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('parallel processes registering the same model get distinct versions and a valid audit chain', async () => {
    const dir = await tempProject();
    const n = 6;
    for (let i = 0; i < n; i++) writeModel(dir, `m${i}`, { 'w.bin': `weights ${i}` });
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) => runBin(['register', 'fraud', `m${i}`], { cwd: dir })),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const refs = results.map((r) => r.stdout.trim()).sort();
    expect(refs).toEqual(Array.from({ length: n }, (_, i) => `fraud@${i + 1}`).sort());
    const reg = SqliteRegistry.open(join(dir, '.mlctl/registry.db'));
    await reg.close();
    const db = new Database(join(dir, '.mlctl/registry.db'), { readonly: true });
    const events = db.prepare('SELECT * FROM events ORDER BY seq').all() as Array<Record<string, any>>;
    db.close();
    expect(events).toHaveLength(n);
    let prev = GENESIS_HASH;
    for (const e of events) {
      expect(e.prev_hash).toBe(prev);
      expect(e.hash).toBe(
        eventHash(prev, {
          seq: e.seq,
          at: e.at,
          actor: e.actor,
          action: e.action,
          model: e.model,
          subject: e.subject,
          payload: JSON.parse(e.payload),
        }),
      );
      prev = e.hash;
    }
  });

  it('records the git commit, branch, dirty flag and a credential-free remote', async () => {
    const dir = tempDir();
    const git = (...a: string[]) =>
      execFileSync('git', a, {
        cwd: dir,
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@x',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@x',
        },
      })
        .toString()
        .trim();
    git('init', '-q', '-b', 'train');
    writeFileSync(join(dir, 'train.py'), 'print(1)\n');
    git('add', '.');
    git('commit', '-qm', 'init');
    git('remote', 'add', 'origin', 'https://user:s3cr3t-token@example.com/team/fraud.git');
    await runBinOk(['init', '--yes'], { cwd: dir });
    writeModel(dir, 'model', { 'w.bin': 'w' });
    const sha = git('rev-parse', 'HEAD');
    const r1 = parse((await runBin(['register', 'fraud', 'model', '--json'], { cwd: dir })).stdout);
    expect(r1.code).toEqual({
      commit: sha,
      branch: 'train',
      dirty: false,
      remote: 'https://example.com/team/fraud.git',
    });
    writeFileSync(join(dir, 'train.py'), 'print(2)\n');
    const r2 = await runBin(['register', 'fraud', 'model', '--allow-duplicate'], { cwd: dir });
    expect(r2.stderr).toMatch(/warning: the git working tree has uncommitted changes/);
    expect(parse((await runBin(['show', 'fraud@2', '--json'], { cwd: dir })).stdout).code.dirty).toBe(true);
    expect(readFileSync(join(dir, '.mlctl/registry.db')).includes('s3cr3t-token')).toBe(false);
  });

  it('hashes a --data folder deterministically without uploading it', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'w.bin': 'w' });
    writeModel(dir, 'data', { 'part-0.csv': 'a,b\n1,2\n', 'part-1.csv': 'a,b\n3,4\n' });
    const r = parse((await runBin(['register', 'fraud', 'model', '--data', 'data', '--json'], { cwd: dir })).stdout);
    expect(r.uploaded.blobs).toBe(1);
    const show = parse((await runBin(['show', 'fraud@1', '--json'], { cwd: dir })).stdout);
    expect(show.dataHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const r2 = parse(
      (await runBin(['register', 'fraud', 'model', '--data', 'data', '--allow-duplicate', '--json'], { cwd: dir }))
        .stdout,
    );
    expect(parse((await runBin(['show', `fraud@${r2.version}`, '--json'], { cwd: dir })).stdout).dataHash).toBe(
      show.dataHash,
    );
  });

  it('--version and --help work and exit 0', async () => {
    const dir = tempDir();
    expect((await runBin(['--version'], { cwd: dir })).stdout.trim()).toBe(
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version,
    );
    const help = await runBin(['register', '--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:/);
  });
});

describe('interrupts', () => {
  it('SIGINT during a pull removes partial files and exits 130', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN, baseEnv } = await import('../support/helpers.js');
    const dir = await tempProject();
    writeModel(dir, 'model', { 'big.bin': Buffer.alloc(256 * 1024 * 1024, 1) });
    expect((await runBin(['register', 'fraud', 'model'], { cwd: dir })).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'pull', 'fraud@1', '--to', 'out'], {
      cwd: dir,
      env: baseEnv() as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Wait until the temp file exists, then interrupt (bounded: at most 200 × 25 ms).
    for (
      let i = 0;
      i < 200 && !(existsSync(join(dir, 'out')) && readdirSync(join(dir, 'out')).some((f) => f.includes('mlctl-tmp')));
      i++
    ) {
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
    expect(code).toBe(130);
    // What a pull leaves, not a register's "nothing was registered" (issue 11.18).
    expect(stderr.trim()).toBe(
      'mlctl: interrupted (SIGINT); partial downloads removed; the files already pulled are complete and verified — run the same mlctl pull again to finish',
    );
    expect(readdirSync(join(dir, 'out')).filter((f) => f.includes('mlctl-tmp') || f === 'big.bin')).toEqual([]);
  });
});
