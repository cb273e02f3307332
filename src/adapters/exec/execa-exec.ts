import { execa } from 'execa';
import type { Exec, ExecResult } from '../../ports/exec.js';

export class ExecaExec implements Exec {
  async shell(command: string, opts: { cwd: string; timeoutMs: number; env?: Record<string, string | undefined> }): Promise<ExecResult> {
    const r = await execa(command, {
      shell: true,
      cwd: opts.cwd,
      timeout: opts.timeoutMs,
      env: opts.env,
      extendEnv: true,
      reject: false,
      stdin: 'ignore',
      maxBuffer: 64 * 1024 * 1024,
      forceKillAfterDelay: 5_000,
    });
    return { exitCode: r.exitCode ?? null, timedOut: !!r.timedOut, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  }
}
