import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';
import { makeDeps } from '../../src/cli/deps.js';
import { PassThrough } from 'node:stream';
import { run, tempDir } from '../support/helpers.js';

/** Every command path of the program mlctl runs (the one bin/mlctl.js builds): [], ['register'], ['adr', 'new'], … */
async function commandPaths(): Promise<string[][]> {
  const io = {
    out: new PassThrough(),
    err: new PassThrough(),
    in: new PassThrough(),
    outIsTTY: false,
    errIsTTY: false,
    inIsTTY: false,
    color: false,
  };
  // No argv: every command is loaded (a run loads only the one it names).
  const program = await buildProgram(makeDeps(io, {}, tempDir()), []);
  const out: string[][] = [[]];
  const walk = (c: Command, path: string[]) => {
    for (const sub of c.commands) {
      const p = [...path, sub.name()];
      out.push(p);
      walk(sub, p);
    }
  };
  walk(program, []);
  return out;
}

const paths = await commandPaths();

describe('--help (issue 11.21)', () => {
  it('the walk finds the commands (guards against an empty list passing)', () => {
    expect(paths.length).toBeGreaterThan(40);
    expect(paths).toContainEqual(['adr', 'new']);
  });

  it('mlctl, every command and every subcommand has an "Examples:" section showing that command', async () => {
    const dir = tempDir();
    const missing: string[] = [];
    for (const p of paths) {
      const r = await run([...p, '--help'], { cwd: dir });
      const ex = /\nExamples:\n((?: {2}\$ mlctl .*\n?)+)/.exec(r.stdout);
      if (r.code !== 0 || !ex || !ex[1]!.includes(`$ mlctl ${p.join(' ')}`.trimEnd()))
        missing.push(`mlctl ${p.join(' ')}`);
    }
    expect(missing).toEqual([]);
  });
});
