export interface ExecResult {
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** Runs user-configured commands (evaluation scripts, rollout checks). */
export interface Exec {
  /** Run a shell command line; never throws for a non-zero exit or a timeout, which are in the result. */
  shell(
    command: string,
    opts: { cwd: string; timeoutMs: number; env?: Record<string, string | undefined> },
  ): Promise<ExecResult>;
}
