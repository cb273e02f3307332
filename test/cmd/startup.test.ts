import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { makeDeps } from '../../src/cli/deps.js';
import type { Io } from '../../src/cli/io.js';
import { buildProgram, COMMANDS, commandWord } from '../../src/cli/program.js';
import { baseEnv, runBin, tempDir, tempProject } from '../support/helpers.js';

function deps() {
  const io: Io = {
    out: new PassThrough(),
    err: new PassThrough(),
    in: new PassThrough(),
    outIsTTY: false,
    errIsTTY: false,
    inIsTTY: false,
    color: false,
  };
  return makeDeps(io, baseEnv(), tempDir());
}

const names = (p: Awaited<ReturnType<typeof buildProgram>>) => p.commands.map((c) => [c.name(), ...c.aliases()]);

describe('start-up: only the command being run is loaded', () => {
  it('the command table names what each command module registers, in help order', async () => {
    expect(names(await buildProgram(deps()))).toEqual(COMMANDS.map((c) => [...c.names]));
  });

  it('a run registers only the command it names (after global options and their values)', async () => {
    expect(names(await buildProgram(deps(), ['--json', '--registry', 'show', 'promote', 'm@2']))).toEqual([
      ['promote'],
    ]);
    expect(names(await buildProgram(deps(), ['ls']))).toEqual([['list', 'ls']]);
    // No command, help, or a word that is no command: all of them, for the help text and suggestions.
    for (const argv of [[], ['--help'], ['help', 'gate'], ['promot'], ['--', 'show']])
      expect((await buildProgram(deps(), argv)).commands.length, argv.join(' ')).toBe(COMMANDS.length);
  });

  it('commandWord skips global options and the values of those that take one', () => {
    expect(commandWord(['--lock-timeout', '5s', '--offline', 'gate', 'x'])).toBe('gate');
    expect(commandWord(['--artifacts=s3://b/p', 'pull'])).toBe('pull');
    expect(commandWord(['-q'])).toBeUndefined();
  });
});

describe('start-up: the V8 code cache of the bundled CLI', () => {
  const cacheFiles = (dir: string) => readdirSync(join(dir, 'code-cache')).sort();

  it('is written once per command, read after, and replaced when it is damaged', async () => {
    const cwd = await tempProject();
    const cache = tempDir('mlctl-code-cache-');
    const env = { MLCTL_CACHE_DIR: cache };
    const first = await runBin(['list', '--json'], { cwd, env });
    expect(first.code, first.stderr).toBe(0);
    const [file, ...others] = cacheFiles(cache);
    expect(others).toEqual([]);
    expect(file).toMatch(new RegExp(`-${process.version}-${process.arch}-list\\.bin$`));
    const written = statSync(join(cache, 'code-cache', file!)).mtimeMs;

    // A run that finds a matching cache leaves it alone.
    const second = await runBin(['list', '--json'], { cwd, env });
    expect(second.stdout).toBe(first.stdout);
    expect(statSync(join(cache, 'code-cache', file!)).mtimeMs).toBe(written);

    // V8 rejects data that is not its own; the command still runs, and the cache is made again.
    writeFileSync(join(cache, 'code-cache', file!), 'not a code cache');
    const third = await runBin(['list', '--json'], { cwd, env });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toBe(first.stdout);
    expect(readFileSync(join(cache, 'code-cache', file!)).toString('latin1')).not.toBe('not a code cache');

    // Another command has a cache of its own.
    expect((await runBin(['show', 'nothing@1'], { cwd, env })).code).toBe(2);
    expect(cacheFiles(cache)).toEqual([file, file!.replace(/-list\.bin$/, '-show.bin')].sort());
  });

  it('MLCTL_CODE_CACHE=0 neither reads nor writes it; an unwritable cache folder changes nothing', async () => {
    const cwd = await tempProject();
    const cache = tempDir('mlctl-code-cache-');
    const off = await runBin(['list'], { cwd, env: { MLCTL_CACHE_DIR: cache, MLCTL_CODE_CACHE: '0' } });
    expect(off.code, off.stderr).toBe(0);
    expect(readdirSync(cache)).toEqual([]);
    // A file where the folder should be: mkdir fails, the command does not.
    const blocked = join(tempDir(), 'not-a-folder');
    writeFileSync(blocked, '');
    const r = await runBin(['list'], { cwd, env: { MLCTL_CACHE_DIR: blocked } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(off.stdout);
  });

  it('--version is answered without loading the CLI', async () => {
    const cwd = tempDir();
    const r = await runBin(['--version'], { cwd, env: { MLCTL_CACHE_DIR: join(cwd, 'cache') } });
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(r).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    expect(readdirSync(cwd)).toEqual([]);
  });
});
