import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastLine, run, tempProject, writeJson, writeModel, runOk } from '../support/helpers.js';

async function project() {
  const dir = await tempProject();
  const model = writeModel(dir);
  const metrics = writeJson(dir, 'metrics.json', {
    dataset: { name: 'holdout', sha256: 'c'.repeat(64) },
    metrics: { auc: 0.91, accuracy: 0.87 },
    slices: { 'country=US': { auc: 0.9 } },
  });
  const schema = writeJson(dir, 'schema.json', {
    inputs: [
      { name: 'amount', type: 'double', required: true },
      { name: 'country', type: 'string', values: ['US', 'DE'] },
    ],
    outputs: [{ name: 'score', type: 'double' }],
  });
  return { dir, model, metrics, schema };
}

const json = (s: string) =>
  JSON.parse(s) as { ok: boolean; command: string; data: any; errors: Array<{ message: string }> };

describe('register, list, show, diff', () => {
  it('registers with every kind of metadata and shows it back', async () => {
    const p = await project();
    writeFileSync(join(p.dir, 'train.yaml'), 'lr: 0.1\nlayers: [64, 32]\n');
    writeFileSync(join(p.dir, 'requirements.txt'), 'torch==2.4.0\n');
    const r = await run(
      [
        'register',
        'fraud',
        'model',
        '--metrics',
        'metrics.json',
        '--schema',
        'schema.json',
        '--data-hash',
        `sha256:${'d'.repeat(64)}`,
        '--config',
        'train.yaml',
        '--requirements',
        'requirements.txt',
        '--tag',
        'team=risk',
        '--description',
        'first',
      ],
      { cwd: p.dir },
    );
    expect(r.stderr).toContain('registered fraud@1');
    expect(r).toMatchObject({ code: 0, stdout: 'fraud@1\n' });
    const show = json((await run(['show', 'fraud@1', '--json'], { cwd: p.dir })).stdout);
    expect(show).toMatchObject({ ok: true, command: 'show' });
    expect(show.data).toMatchObject({
      ref: 'fraud@1',
      status: 'registered',
      dataHash: `sha256:${'d'.repeat(64)}`,
      config: { lr: 0.1, layers: [64, 32] },
      requirements: 'torch==2.4.0\n',
      tags: { team: 'risk' },
      description: 'first',
      createdBy: 'tester@example.com',
      createdAt: '2026-11-23T10:00:00.000Z',
    });
    expect(show.data.files.map((f: { path: string }) => f.path)).toEqual(['config.json', 'weights.bin']);
    expect(show.data.metrics).toContainEqual({
      name: 'auc',
      value: 0.9,
      slice: 'country=US',
      datasetDigest: `sha256:${'c'.repeat(64)}`,
      datasetName: 'holdout',
    });
    expect(show.data.featureSchema.inputs[1].values).toEqual(['US', 'DE']);
    const human = await run(['show', 'fraud'], { cwd: p.dir });
    expect(human.stdout).toMatch(/version:\s+fraud@1/);
    expect(human.stdout).toMatch(/auc\s+country=US\s+0.9\s+holdout/);
  });

  it('returns the existing version for the same content, unless --allow-duplicate', async () => {
    const p = await project();
    expect((await run(['register', 'fraud', 'model'], { cwd: p.dir })).stdout).toBe('fraud@1\n');
    const again = await run(['register', 'fraud', 'model', '--json'], { cwd: p.dir });
    expect(json(again.stdout).data).toMatchObject({ ref: 'fraud@1', created: false });
    const forced = await run(['register', 'fraud', 'model', '--allow-duplicate', '--json'], { cwd: p.dir });
    expect(json(forced.stdout).data).toMatchObject({
      ref: 'fraud@2',
      created: true,
      uploaded: { blobs: 0, bytes: 0 },
      skipped: { blobs: 2 },
    });
  });

  it('lists models and versions with filters', async () => {
    const p = await project();
    await runOk(['register', 'fraud', 'model', '--tag', 'team=risk'], { cwd: p.dir });
    writeModel(p.dir, 'model2', { 'w.bin': 'v2' });
    await runOk(['register', 'fraud', 'model2'], { cwd: p.dir });
    await runOk(['register', 'churn', 'model2'], { cwd: p.dir });
    const models = json((await run(['list', '--json'], { cwd: p.dir })).stdout).data;
    expect(models.models.map((m: { name: string; latest: number }) => [m.name, m.latest])).toEqual([
      ['churn', 1],
      ['fraud', 2],
    ]);
    const versions = json((await run(['list', 'fraud', '--json'], { cwd: p.dir })).stdout).data.versions;
    expect(versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const tagged = json((await run(['list', 'fraud', '--tag', 'team=risk', '--json'], { cwd: p.dir })).stdout).data
      .versions;
    expect(tagged.map((v: { version: number }) => v.version)).toEqual([1]);
    const limited = json((await run(['list', 'fraud', '--limit', '1', '--json'], { cwd: p.dir })).stdout).data.versions;
    expect(limited).toHaveLength(1);
    expect((await run(['list'], { cwd: p.dir })).stdout).toMatch(/MODEL\s+VERSIONS\s+LATEST\s+CHAMPION/);
  });

  it('diffs metrics, config, schema and files', async () => {
    const p = await project();
    writeFileSync(join(p.dir, 'c1.json'), '{"lr": 0.1, "depth": 6}');
    await run(
      ['register', 'fraud', 'model', '--metrics', 'metrics.json', '--schema', 'schema.json', '--config', 'c1.json'],
      { cwd: p.dir },
    );
    writeModel(p.dir, 'model', { 'weights.bin': 'changed', 'extra.txt': 'new' });
    writeJson(p.dir, 'metrics.json', { dataset: { sha256: 'c'.repeat(64) }, metrics: { auc: 0.93, accuracy: 0.87 } });
    writeJson(p.dir, 'schema.json', {
      inputs: [
        { name: 'amount', type: 'double', required: true },
        { name: 'merchant', type: 'string', required: true },
      ],
      outputs: [{ name: 'score', type: 'double' }],
    });
    writeFileSync(join(p.dir, 'c1.json'), '{"lr": 0.05, "depth": 6}');
    await run(
      ['register', 'fraud', 'model', '--metrics', 'metrics.json', '--schema', 'schema.json', '--config', 'c1.json'],
      { cwd: p.dir },
    );
    const d = json((await run(['diff', 'fraud@1', 'fraud@2', '--json'], { cwd: p.dir })).stdout).data;
    const auc = d.metrics.find((m: { name: string; slice: string | null }) => m.name === 'auc' && m.slice === null);
    expect(auc.delta).toBeCloseTo(0.02, 10);
    expect(auc.relative).toBeCloseTo(0.02 / 0.91, 10);
    expect(auc.sameDataset).toBe(true);
    expect(d.config).toEqual([{ key: 'lr', a: 0.1, b: 0.05 }]);
    expect(d.schema).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ side: 'inputs', name: 'country', change: 'removed' }),
        expect.objectContaining({ side: 'inputs', name: 'merchant', change: 'added' }),
      ]),
    );
    expect(d.files).toEqual({ added: ['extra.txt'], removed: [], changed: ['weights.bin'], unchanged: 1 });
    const human = await run(['diff', 'fraud@1', 'fraud@2'], { cwd: p.dir });
    expect(human.stdout).toMatch(/auc\s+\(all\)\s+0.91\s+0.93\s+\+0.02/);
  });
});

describe('aliases, tags, archive, gc', () => {
  it('sets and removes aliases, protects champion and latest', async () => {
    const p = await project();
    await runOk(['register', 'fraud', 'model'], { cwd: p.dir });
    expect((await run(['alias', 'set', 'fraud@1', 'staging'], { cwd: p.dir })).stdout).toBe('fraud@staging → 1\n');
    expect(json((await run(['show', 'fraud@staging', '--json'], { cwd: p.dir })).stdout).data.aliases).toEqual([
      'staging',
    ]);
    const champ = await run(['alias', 'set', 'fraud@1', 'champion'], { cwd: p.dir });
    expect(champ.code).toBe(2);
    expect(champ.stderr).toMatch(/'champion' is protected: it moves only through 'mlctl promote' or 'mlctl rollback'/);
    expect((await run(['alias', 'set', 'fraud@1', 'latest'], { cwd: p.dir })).stderr).toMatch(/'latest' is reserved/);
    expect((await run(['alias', 'set', 'fraud@1', '42'], { cwd: p.dir })).stderr).toMatch(/invalid alias "42"/);
    expect((await run(['alias', 'rm', 'fraud', 'staging'], { cwd: p.dir })).code).toBe(0);
    const missing = await run(['show', 'fraud@staging'], { cwd: p.dir });
    expect(missing).toMatchObject({ code: 2 });
    expect(missing.stderr).toBe('mlctl: fraud has no alias "staging"; it has no aliases\n');
  });

  it('tags and archives, refusing to archive an aliased version', async () => {
    const p = await project();
    await runOk(['register', 'fraud', 'model'], { cwd: p.dir });
    expect((await run(['tag', 'fraud@1', 'team=risk', 'ticket=ML-1'], { cwd: p.dir })).stdout).toBe(
      'fraud@1: team=risk ticket=ML-1\n',
    );
    expect((await run(['tag', 'fraud@1', 'novalue'], { cwd: p.dir })).stderr).toMatch(
      /invalid tag "novalue": expected KEY=VALUE/,
    );
    await runOk(['alias', 'set', 'fraud@1', 'staging'], { cwd: p.dir });
    const refused = await run(['archive', 'fraud@1'], { cwd: p.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/still has aliases \(staging\)/);
    await runOk(['alias', 'rm', 'fraud', 'staging'], { cwd: p.dir });
    expect((await run(['archive', 'fraud@1'], { cwd: p.dir })).stdout).toBe('fraud@1 archived\n');
    expect(
      json((await run(['list', 'fraud', '--status', 'archived', '--json'], { cwd: p.dir })).stdout).data.versions,
    ).toHaveLength(1);
  });

  it('gc deletes only unreferenced blobs past the grace period', async () => {
    const p = await project();
    await runOk(['register', 'fraud', 'model'], { cwd: p.dir });
    const orphanSha = 'e'.repeat(64);
    const { mkdirSync } = await import('node:fs');
    const orphanDir = join(p.dir, '.mlctl/artifacts/blobs/sha256/ee');
    mkdirSync(orphanDir, { recursive: true });
    writeFileSync(join(orphanDir, orphanSha), 'orphan');
    // The orphan's mtime is "now" in real time, but MLCTL_NOW is fixed in the past: use a zero grace.
    const dry = json(
      (
        await run(['gc', '--dry-run', '--grace', '0s', '--json'], {
          cwd: p.dir,
          env: { MLCTL_NOW: '2100-01-01T00:00:00Z' },
        })
      ).stdout,
    ).data;
    expect(dry.unreferenced).toEqual([{ sha256: orphanSha, size: 6 }]);
    expect(dry.deleted).toBe(0);
    const young = json(
      (await run(['gc', '--json'], { cwd: p.dir, env: { MLCTL_NOW: new Date().toISOString() } })).stdout,
    ).data;
    expect(young).toMatchObject({ deleted: 0, tooYoung: 1 });
    const real = json(
      (await run(['gc', '--grace', '0s', '--json'], { cwd: p.dir, env: { MLCTL_NOW: '2100-01-01T00:00:00Z' } })).stdout,
    ).data;
    expect(real).toMatchObject({ deleted: 1, bytesFreed: 6, scanned: 3 });
    expect((await run(['verify', 'fraud@1'], { cwd: p.dir })).code).toBe(0);
  });
});

describe('bad input: one clear line and exit 2', () => {
  const cases: Array<[string, (d: string) => string[], RegExp]> = [
    ['missing path', () => ['register', 'fraud', 'nope/'], /^mlctl: nope\/: no such file or folder; check the path$/],
    [
      'metrics not JSON',
      (d) => (writeFileSync(join(d, 'bad.json'), 'auc=0.9'), ['register', 'fraud', 'model', '--metrics', 'bad.json']),
      /^mlctl: bad.json: not valid JSON: .*\(line 1\)$/,
    ],
    [
      'non-number metric',
      (d) => (
        writeFileSync(join(d, 'bad.json'), '{\n"auc": "0.9x"\n}'),
        ['register', 'fraud', 'model', '--metrics', 'bad.json']
      ),
      /^mlctl: bad.json: "auc" must be a finite number, got "0.9x" \(line 2\)$/,
    ],
    [
      'NaN metric',
      (d) => (
        writeFileSync(join(d, 'bad.json'), '{"auc": NaN}'),
        ['register', 'fraud', 'model', '--metrics', 'bad.json']
      ),
      /^mlctl: bad.json: NaN for "auc" is not a finite number \(line 1\)/,
    ],
    [
      'Infinity metric',
      (d) => (
        writeFileSync(join(d, 'bad.json'), '{"auc": Infinity}'),
        ['register', 'fraud', 'model', '--metrics', 'bad.json']
      ),
      /Infinity for "auc" is not a finite number/,
    ],
    [
      'unknown schema type',
      (d) => (
        writeFileSync(join(d, 's.json'), '{"inputs": [{"name": "a", "type": "varchar"}]}'),
        ['register', 'fraud', 'model', '--schema', 's.json']
      ),
      /^mlctl: s.json: inputs\[0\].type: unknown type "varchar"/,
    ],
    ['model name ../x', () => ['register', '../x', 'model'], /^mlctl: invalid model name "..\/x"/],
    ['model name a b', () => ['register', 'a b', 'model'], /^mlctl: invalid model name "a b"/],
    ['model name Fraud', () => ['register', 'Fraud', 'model'], /^mlctl: invalid model name "Fraud"/],
    ['ref fraud@', () => ['show', 'fraud@'], /^mlctl: invalid ref "fraud@"/],
    ['ref fraud@-1', () => ['show', 'fraud@-1'], /^mlctl: invalid ref "fraud@-1"/],
    ['unknown model', () => ['show', 'frad@1'], /^mlctl: unknown model "frad"; did you mean fraud\?$/],
    ['unknown version', () => ['show', 'fraud@9'], /^mlctl: fraud@9 does not exist; fraud has versions 1$/],
    [
      'bad --data-hash',
      () => ['register', 'fraud', 'model', '--data-hash', 'md5:abc'],
      /^mlctl: --data-hash: expected sha256: followed by 64 hex digits, got "md5:abc"$/,
    ],
    [
      'both --data and --data-hash',
      () => ['register', 'fraud', 'model', '--data', 'model', '--data-hash', `sha256:${'a'.repeat(64)}`],
      /give either --data or --data-hash/,
    ],
    ['unknown flag', () => ['register', 'fraud', 'model', '--metric', 'x'], /^mlctl: unknown option '--metric'/],
    ['bad --status', () => ['list', 'fraud', '--status', 'live'], /--status "live" is not a status/],
    ['bad --limit', () => ['list', 'fraud', '--limit', '0'], /--limit must be a positive whole number/],
    [
      'unknown parent',
      () => ['register', 'fraud', 'model', '--allow-duplicate', '--parent', 'fraud@7'],
      /^mlctl: fraud@7 does not exist/,
    ],
  ];
  it.each(cases)('%s', async (_name, args, message) => {
    const p = await project();
    await runOk(['register', 'fraud', 'model'], { cwd: p.dir });
    const r = await run(args(p.dir), { cwd: p.dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(lastLine(r.stderr)).toMatch(message);
    // Nothing half-written: the failed call added no version.
    const versions = JSON.parse((await run(['list', 'fraud', '--json'], { cwd: p.dir })).stdout).data.versions;
    expect(versions).toHaveLength(1);
  });

  it('--json errors are a JSON document on stdout', async () => {
    const p = await project();
    const r = await run(['show', 'nope@1', '--json'], { cwd: p.dir });
    expect(r.code).toBe(2);
    expect(json(r.stdout)).toMatchObject({ ok: false, errors: [{ kind: 'not_found' }] });
  });

  it('without mlctl.yaml says to run init', async () => {
    const { tempDir } = await import('../support/helpers.js');
    const r = await run(['list'], { cwd: tempDir() });
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toMatch(/no mlctl.yaml found .*run 'mlctl init --yes'/);
  });
});
