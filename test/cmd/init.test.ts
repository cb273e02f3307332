import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import { main } from '../../src/cli/main.js';
import { makeDeps } from '../../src/cli/deps.js';
import type { Io } from '../../src/cli/io.js';
import { baseEnv, run, tempDir } from '../support/helpers.js';
import { FakePrompter } from '../support/fake-prompter.js';
import { loadSettings } from '../../src/core/config/index.js';
import { sharedDir } from '../support/crd-validator.js';

const SCHEMAS = sharedDir('schemas');
const haveSchemas = existsSync(SCHEMAS);
const json = (s: string) => JSON.parse(s);

/**
 * Run `mlctl init` on a pretend terminal (injected streams), typing each answer when its prompt
 * starts reading; the answers' effects are checked on the written files.
 */
async function interactive(cwd: string, args: string[], answers: Array<[RegExp, string]>) {
  const input = new PassThrough();
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  let typed = 0;
  // Each prompt starts listening for keypresses on the input: type its answer then (keys written
  // between prompts would be lost, and inquirer does not draw every prompt on an injected stream).
  input.on('newListener', (event: string) => {
    if (event !== 'keypress' || input.listenerCount('keypress') > 0 || typed >= answers.length) return;
    const keys = answers[typed++]![1];
    setTimeout(() => input.write(keys), 15);
  });
  out.on('data', (d) => (stdout += d));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const io: Io = { out, err, in: input, outIsTTY: false, errIsTTY: true, inIsTTY: true, color: false };
  const code = await main(['init', ...args], makeDeps(io, baseEnv(), cwd));
  return { code, stdout, stderr, answered: typed };
}

const DOWN = '\u001b[B';
const ALL_FLAGS = [
  '--artifacts',
  '.mlctl/a',
  '--registry',
  '.mlctl/r.db',
  '--adr-dir',
  'docs/adr',
  '--model',
  'none',
  '--no-gates',
  '--no-github',
];

// eslint-disable-next-line no-control-regex -- ANSI escape sequences are control characters by definition
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

describe('mlctl init', () => {
  it('asks every question on a terminal, shows the files, then writes them', async () => {
    const dir = tempDir();
    const prompter = new FakePrompter([
      [/Where should model artifacts be stored\?/, 's3'],
      [/Artifact location \(s3:\/\/bucket\/prefix\)/, 's3://ml-team/fraud'],
      [/Where should the registry live\?/, 's3'],
      [/Shared registry object/, true],
      [/S3 endpoint \(empty for AWS itself\)/, 'http://127.0.0.1:9000'],
      [/ADR folder/, true],
      [/A first model to roll out/, 'fraud'],
      [/How is it served\?/, true],
      [/Serving config file/, true],
      [/Write a gate policy/, true],
      [/Add GitHub Actions workflows/, true],
      [/Write these files\?/, true],
    ]);
    const r = await run(['init'], { cwd: dir, tty: true, deps: { prompter: async () => prompter } });
    expect(r.code, r.stderr).toBe(0);
    expect(prompter.asked).toHaveLength(12);
    expect(r.stderr).toContain('create mlctl.yaml');
    expect(r.stderr).toContain('create .github/workflows/mlctl-rollout.yml');
    const cfg = parse(readFileSync(join(dir, 'mlctl.yaml'), 'utf8'));
    expect(cfg).toMatchObject({
      artifacts: 's3://ml-team/fraud',
      registry: 's3://ml-team/fraud/registry.db',
      s3: { endpoint: 'http://127.0.0.1:9000', forcePathStyle: true },
      serving: { fraud: { adapter: 'istio', files: ['deploy/fraud/istio.yaml'], plan: 'standard' } },
    });
    for (const f of [
      'gates.yaml',
      'deploy/fraud/istio.yaml',
      'docs/adr/0001-record-architecture-decisions.md',
      '.github/workflows/mlctl-gate.yml',
    ])
      expect(existsSync(join(dir, f)), f).toBe(true);
    expect(readFileSync(join(dir, '.github/workflows/mlctl-gate.yml'), 'utf8')).toContain('mlctl gate fraud@latest');
    // The written config is one mlctl accepts, every section (plans validated against the adapter):
    // read as every command reads it, and by a command that needs nothing else (no S3 to reach).
    expect(loadSettings(dir).rollout.serving.fraud).toEqual({
      adapter: 'istio',
      files: ['deploy/fraud/istio.yaml'],
      plan: 'standard',
    });
    const adrs = await run(['adr', 'list', '--json'], { cwd: dir });
    expect(adrs.code, adrs.stderr).toBe(0);
  });

  it('answering no to "Write these files?" writes nothing (exit 2)', async () => {
    const dir = tempDir();
    const prompter = new FakePrompter([[/Write these files\?/, false]]);
    const r = await run(['init', ...ALL_FLAGS], { cwd: dir, tty: true, deps: { prompter: async () => prompter } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/\nmlctl: not confirmed; nothing written$/);
    expect(existsSync(join(dir, 'mlctl.yaml'))).toBe(false);
  });

  it('the terminal prompter reads typed keys from the injected stream (select, input, confirm)', async () => {
    const dir = tempDir();
    const r = await interactive(
      dir,
      ['--registry', '.mlctl/r.db', '--adr-dir', 'docs/adr', '--model', 'none', '--no-gates', '--no-github'],
      [
        [/Where should model artifacts be stored\?/, `${DOWN}\r`],
        [/Artifact location \(s3:\/\/bucket\/prefix\)/, 's3://ml-team/fraud\r'],
        [/S3 endpoint \(empty for AWS itself\)/, 'http://127.0.0.1:9000\r'],
        [/Write these files\?/, '\r'],
      ],
    );
    expect(r.code, stripAnsi(r.stderr).slice(-600)).toBe(0);
    expect(r.answered).toBe(4);
    expect(parse(readFileSync(join(dir, 'mlctl.yaml'), 'utf8'))).toMatchObject({
      artifacts: 's3://ml-team/fraud',
      registry: '.mlctl/r.db',
      s3: { endpoint: 'http://127.0.0.1:9000' },
    });
  });

  it('without a terminal or in CI a missing answer is exit 2 naming the flag; nothing is written', async () => {
    const dir = tempDir();
    const r = await run(['init'], { cwd: dir, env: { CI: 'true' } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'mlctl: mlctl init needs --artifacts (no terminal to ask on, CI is set); pass it, or --yes to accept the defaults',
    );
    const partial = await run(
      ['init', '--artifacts', '.mlctl/a', '--registry', '.mlctl/r.db', '--adr-dir', 'docs/adr', '--model', 'none'],
      { cwd: dir, env: { CI: 'true' } },
    );
    expect(partial.stderr.trim()).toMatch(/needs --gates or --no-gates/);
    expect(existsSync(join(dir, 'mlctl.yaml'))).toBe(false);
    const full = await run(
      [
        'init',
        '--artifacts',
        '.mlctl/a',
        '--registry',
        '.mlctl/r.db',
        '--adr-dir',
        'docs/adr',
        '--model',
        'churn',
        '--adapter',
        'seldon',
        '--serving-file',
        'k8s/churn.yaml',
        '--no-gates',
        '--no-github',
      ],
      { cwd: dir, env: { CI: 'true' } },
    );
    expect(full.code, full.stderr).toBe(0);
    expect(existsSync(join(dir, 'k8s/churn.yaml'))).toBe(true);
    expect(readFileSync(join(dir, 'k8s/churn.yaml'), 'utf8')).toMatch(/name: churn\b/);
    expect(existsSync(join(dir, 'gates.yaml'))).toBe(false);
    const bad = await run(['init', '--yes', '--force', '--adapter', 'nginx', '--model', 'x'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'mlctl: --adapter nginx: use kserve, istio, seldon, generic, tfserving, triton or none',
    );
  });

  it('adopts an existing ADR folder (.adr-dir, doc/adr) instead of creating another, and keeps existing files without --force', async () => {
    const a = tempDir();
    mkdirSync(join(a, 'doc/adr'), { recursive: true });
    writeFileSync(
      join(a, 'doc/adr/0001-use-postgres.md'),
      '# 1. Use Postgres\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n',
    );
    writeFileSync(join(a, 'gates.yaml'), '# our own policy\ngates: []\n');
    const r = await run(['init', '--yes', '--json'], { cwd: a });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).data).toMatchObject({ adrDir: 'doc/adr', adoptedAdrDir: 'doc/adr', kept: ['gates.yaml'] });
    expect(existsSync(join(a, 'docs'))).toBe(false);
    expect(existsSync(join(a, 'doc/adr/0001-record-architecture-decisions.md'))).toBe(false);
    expect(readFileSync(join(a, 'gates.yaml'), 'utf8')).toBe('# our own policy\ngates: []\n');
    const b = tempDir();
    writeFileSync(join(b, '.adr-dir'), 'architecture/decisions\n');
    expect((await run(['init', '--yes'], { cwd: b })).code).toBe(0);
    expect(existsSync(join(b, 'architecture/decisions/0001-record-architecture-decisions.md'))).toBe(true);
    expect((await run(['adr', 'list', '--json'], { cwd: b })).stdout).toContain('Record architecture decisions');
    expect((await run(['init', '--yes'], { cwd: b })).stderr).toMatch(
      /mlctl.yaml already exists; pass --force to overwrite it/,
    );
  });
});

describe.skipIf(!haveSchemas)(
  'GitHub files validate against the JSON Schemas in ../shared/schemas (skipped only without that folder)',
  () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const load = (f: string) => JSON.parse(readFileSync(join(SCHEMAS, f), 'utf8'));
    const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
    const check = (schemaFile: string, doc: unknown) => {
      const validate = compiled.get(schemaFile) ?? ajv.compile(load(schemaFile));
      compiled.set(schemaFile, validate);
      return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    };

    it('the workflows init writes, filled in', async () => {
      const dir = tempDir();
      expect(
        (
          await run(
            ['init', '--yes', '--model', 'fraud', '--adapter', 'istio', '--github', '--action', 'acme/mlctl@v1'],
            { cwd: dir },
          )
        ).code,
      ).toBe(0);
      for (const f of ['mlctl-gate.yml', 'mlctl-rollout.yml']) {
        const doc = parse(readFileSync(join(dir, '.github/workflows', f), 'utf8'));
        expect(check('github-workflow.json', doc), f).toEqual([]);
      }
      const rollout = parse(readFileSync(join(dir, '.github/workflows/mlctl-rollout.yml'), 'utf8'));
      expect(rollout.permissions).toEqual({ contents: 'write', 'id-token': 'write' });
      expect(rollout.jobs['promote-full'].environment).toBe('production');
      expect(rollout.jobs.tick.steps[0]).toMatchObject({ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } });
      expect(Object.keys(rollout.on)).toEqual(['schedule', 'workflow_dispatch']);
    });

    it('the pull-request mode: its rollout workflow, the workflow that ticks on a merged mlctl/ pull request, and the config', async () => {
      const dir = tempDir();
      const r = await run(
        ['init', '--yes', '--model', 'fraud', '--adapter', 'istio', '--github', '--git-mode', 'pull-request'],
        { cwd: dir },
      );
      expect(r.code, r.stderr).toBe(0);
      for (const f of ['mlctl-gate.yml', 'mlctl-rollout.yml', 'mlctl-pr-merged.yml']) {
        const doc = parse(readFileSync(join(dir, '.github/workflows', f), 'utf8'));
        expect(check('github-workflow.json', doc), f).toEqual([]);
      }
      const rollout = parse(readFileSync(join(dir, '.github/workflows/mlctl-rollout.yml'), 'utf8'));
      expect(rollout.permissions).toEqual({ contents: 'write', 'pull-requests': 'write', 'id-token': 'write' });
      expect(rollout.env).toEqual({ GITHUB_TOKEN: '${{ github.token }}' });
      expect(JSON.stringify(rollout.jobs)).not.toContain('--push');
      const merged = parse(readFileSync(join(dir, '.github/workflows/mlctl-pr-merged.yml'), 'utf8'));
      expect(merged.on).toEqual({ pull_request: { types: ['closed'] } });
      expect(merged.permissions).toMatchObject({ contents: 'write', 'pull-requests': 'write' });
      expect(merged.concurrency.group).toBe(rollout.concurrency.group);
      expect(merged.jobs.tick.if).toBe(
        "github.event.pull_request.merged == true && startsWith(github.event.pull_request.head.ref, 'mlctl/') && github.event.pull_request.head.repo.full_name == github.repository",
      );
      expect(merged.jobs.tick.steps[0]).toEqual({
        uses: 'actions/checkout@v4',
        with: { ref: '${{ github.event.pull_request.base.ref }}', 'fetch-depth': 0 },
      });
      expect(merged.jobs.tick.steps[2].with).toEqual({ command: 'rollout', args: 'tick' });
      const cfg = parse(readFileSync(join(dir, 'mlctl.yaml'), 'utf8'));
      expect(cfg.git).toEqual({
        mode: 'pull-request',
        remote: 'origin',
        pullRequest: { labels: ['mlctl'], reviewers: [], team_reviewers: [], draft: false },
      });
      expect(cfg.rollback).toEqual({ mode: 'pull-request' });
      // The written config passes the checks the commands make.
      const doctor = JSON.parse((await run(['doctor', '--json'], { cwd: dir })).stdout);
      expect(doctor.data.checks[0]).toMatchObject({ check: 'config', status: 'ok' });
      expect((await run(['init', '--yes', '--force', '--git-mode', 'pr'], { cwd: dir })).stderr).toContain(
        '--git-mode pr: use commit or pull-request',
      );
    });

    it('the composite action at the repository root', () => {
      const action = parse(readFileSync(fileURLToPath(new URL('../../action.yml', import.meta.url)), 'utf8'));
      expect(check('github-action.json', action)).toEqual([]);
      expect(Object.keys(action.inputs)).toEqual(['command', 'args', 'version', 'working-directory']);
      expect(Object.keys(action.outputs)).toEqual(['verdict', 'candidate', 'champion', 'report']);
      expect(action.runs.using).toBe('composite');
    });
  },
);
