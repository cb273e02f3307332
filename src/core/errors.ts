/**
 * Typed errors. Each carries the exit code documented in DESIGN.md so that the CLI maps errors to
 * exit codes in one place and core code never decides how a process ends.
 */
export const ExitCode = {
  ok: 0,
  negative: 1,
  usage: 2,
  storage: 3,
  auth: 4,
  inconclusive: 5,
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class MlctlError extends Error {
  readonly exitCode: ExitCodeValue;
  /** A short machine-readable kind, used in --json output. */
  readonly kind: string;
  /** Set when the command already rendered this outcome (e.g. a failed verification report). */
  reported = false;
  constructor(message: string, exitCode: ExitCodeValue, kind: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MlctlError';
    this.exitCode = exitCode;
    this.kind = kind;
  }
}

/** Bad flags, bad input files, bad names or refs: exit 2. */
export class UsageError extends MlctlError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, 'usage', options);
  }
}

/** A model, version or alias that does not exist: exit 2 (it is an input error). */
export class NotFoundError extends MlctlError {
  constructor(message: string) {
    super(message, ExitCode.usage, 'not_found');
  }
}

/** S3, lock, git or filesystem failure: exit 3. */
export class StorageError extends MlctlError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.storage, 'storage', options);
  }
}

/**
 * Someone else changed what this command planned on (the champion moved, the rollout's revision
 * changed): exit 3, nothing written. The other command acted; run again if still needed.
 */
export class ConcurrentChangeError extends StorageError {
  /** What moved: the rollout's row, the champion alias, or another rollout was opened meanwhile. */
  readonly subject: 'rollout' | 'champion' | 'open-rollout';
  constructor(message: string, subject: ConcurrentChangeError['subject']) {
    super(message);
    this.subject = subject;
    this.name = 'ConcurrentChangeError';
  }
}

/** The evaluation command of `mlctl gate --eval` failed, timed out or wrote nothing: exit 3. */
export class EvaluationError extends StorageError {
  constructor(message: string) {
    super(message);
    this.name = 'EvaluationError';
  }
}

/**
 * A local file's bytes are not the ones its digest was taken from (it changed after hashing, or a
 * hash-cache entry was stale): the store refused to keep them under that digest. Exit 3.
 */
export class ContentChangedError extends StorageError {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'ContentChangedError';
  }
}

/** The GitOps remote rejected a push (someone pushed first): exit 3, the local commit undone. */
export class PushRejectedError extends StorageError {
  constructor(message: string) {
    super(message);
    this.name = 'PushRejectedError';
  }
}

/**
 * The GitOps history and the registry disagree about a step that mlctl cannot settle on its own (a
 * commit it made but did not record, which cannot be adopted): exit 3, the message names the commit
 * and the command that resolves it (ADR 26).
 */
export class UnreconciledStepError extends StorageError {
  constructor(message: string) {
    super(message);
    this.name = 'UnreconciledStepError';
  }
}

/** A database or file whose bytes are damaged (SQLite corruption, a wrong checksum): exit 3; never written on. */
export class DamagedError extends MlctlError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.storage, 'damaged', options);
  }
}

/** Out of an API's request quota (exit 3, like any infrastructure limit); `resetAt` says when it refills. */
export class RateLimitError extends StorageError {
  constructor(
    message: string,
    readonly resetAt: Date | null,
  ) {
    super(message);
  }
}

/** Credentials rejected or permission denied: exit 4. */
export class AuthError extends MlctlError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.auth, 'auth', options);
  }
}

/** A negative verdict (gate failed, corruption found): exit 1. Carries the result for rendering. */
export class VerdictError extends MlctlError {
  constructor(message: string) {
    super(message, ExitCode.negative, 'verdict');
  }
}

export class InterruptedError extends MlctlError {
  constructor(message = 'interrupted') {
    super(message, ExitCode.interrupted, 'interrupted');
  }
}

/** Not enough data to decide (exit 5): never a pass. */
export class InconclusiveError extends MlctlError {
  constructor(message: string) {
    super(message, ExitCode.inconclusive, 'inconclusive');
  }
}
