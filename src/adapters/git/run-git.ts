import { spawn } from 'node:child_process';

/** git exited with a non-zero code (or could not start); the message is what it printed on stderr. */
export class GitError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly stdout: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

/**
 * Runs `git <args>` in `cwd`; resolves with its stdout. A plain child process rather than a git
 * library: loading simple-git cost a stage change more than the git processes themselves.
 */
export function runGit(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitError(`cannot run git: ${e.message}`, null, '')));
    child.on('close', (code) => {
      const stdout = Buffer.concat(out).toString('utf8');
      if (code === 0) return resolve(stdout);
      const stderr = Buffer.concat(err).toString('utf8').trim();
      reject(new GitError(stderr || stdout.trim() || `git ${args[0]} exited with code ${code}`, code, stdout));
    });
  });
}
