import { execa } from 'execa';
import type { Exec, ExecResult } from '../../ports/exec.js';

/**
 * Runs user commands through the shell in their own process group, so a timeout stops the whole
 * tree (the shell and, say, the python process it started), not just the shell.
 */
export class ExecaExec implements Exec {
  async shell(
    command: string,
    opts: { cwd: string; timeoutMs: number; env?: Record<string, string | undefined> },
  ): Promise<ExecResult> {
    const child = execa(command, {
      shell: true,
      cwd: opts.cwd,
      env: opts.env,
      extendEnv: true,
      reject: false,
      stdin: 'ignore',
      detached: true,
      maxBuffer: 64 * 1024 * 1024,
    });
    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    let hard: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      hard = setTimeout(() => killGroup('SIGKILL'), 5_000);
    }, opts.timeoutMs);
    try {
      const r = await child;
      return {
        exitCode: timedOut ? null : (r.exitCode ?? null),
        timedOut,
        stdout: String(r.stdout ?? ''),
        stderr: String(r.stderr ?? ''),
      };
    } finally {
      clearTimeout(timer);
      if (hard) clearTimeout(hard);
    }
  }
}
