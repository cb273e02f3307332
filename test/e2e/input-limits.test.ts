import { describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, baseEnv, run, runBin, tempProject, writeModel } from '../support/helpers.js';

/**
 * Issue 11.14 with the built binary: a device or a pipe as an input is read up to the size limit and
 * no further, and a command waiting on a pipe still stops on SIGTERM or SIGINT.
 */
describe('inputs that never end (11.14)', () => {
  it('--metrics /dev/zero is refused at the size limit, exit 2, nothing registered', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'w.bin': 'w' });
    const r = await runBin(['register', 'fraud', 'model', '--metrics', '/dev/zero'], { cwd: dir, timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(
      'mlctl: /dev/zero: more than the 16.0 MiB limit for YAML, JSON and text inputs came from it (a pipe or a device); if the input is right, raise it with MLCTL_MAX_DOCUMENT_SIZE=32MiB',
    );
    expect((await run(['show', 'fraud@1'], { cwd: dir })).code).toBe(2);
  });

  it('a pipe with a writer is read to its end: the metrics are registered', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'w.bin': 'w' });
    const fifo = join(dir, 'metrics.fifo');
    execFileSync('mkfifo', [fifo]);
    const registering = run(['register', 'fraud', 'model', '--metrics', fifo], { cwd: dir });
    let writer: number | undefined;
    for (let i = 0; i < 300 && writer === undefined; i++) {
      try {
        writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        await sleep(20);
      }
    }
    expect(writer, 'mlctl never opened the pipe').toBeDefined();
    writeSync(writer!, '{"auc": 0.91, "f1": 0.5}');
    closeSync(writer!);
    const r = await registering;
    expect(r.code, r.stderr).toBe(0);
    const shown = JSON.parse((await run(['show', 'fraud@1', '--json'], { cwd: dir })).stdout);
    expect(shown.data.metrics.map((m: { name: string }) => m.name).sort()).toEqual(['auc', 'f1']);
  });

  it('a pipe given where mlctl reads synchronously (the policy) is refused, not waited on', async () => {
    const dir = await tempProject();
    writeModel(dir, 'model', { 'w.bin': 'w' });
    await runBin(['register', 'fraud', 'model'], { cwd: dir });
    const fifo = join(dir, 'gates.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await run(['gate', 'fraud@1', '--policy', fifo], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gates\.fifo: is a pipe or a terminal; this input is read from a regular file only/);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} stops a register waiting on a pipe: exit 130`, async () => {
      const dir = await tempProject();
      writeModel(dir, 'model', { 'w.bin': 'w' });
      const fifo = join(dir, 'metrics.fifo');
      execFileSync('mkfifo', [fifo]);
      const child = spawn(process.execPath, [BIN, 'register', 'fraud', 'model', '--metrics', fifo], {
        cwd: dir,
        env: baseEnv() as NodeJS.ProcessEnv,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      // Open the write end once mlctl has opened the read end (ENXIO until then), and write nothing:
      // mlctl now waits for data that never comes.
      let writer: number | undefined;
      for (let i = 0; i < 300 && writer === undefined; i++) {
        try {
          writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        } catch {
          await sleep(50);
        }
      }
      expect(writer, 'mlctl never opened the pipe').toBeDefined();
      child.kill(signal);
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(killer);
      closeSync(writer!);
      expect(code, stderr).toBe(130);
      expect(stderr).toMatch(new RegExp(`interrupted \\(${signal}\\)`));
    });
  }
});
