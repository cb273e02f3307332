import type { CodeInfo } from './registry.js';

export interface CodeGit {
  /** Commit, branch, dirty flag and remote of the repository containing dir, or null outside git. */
  codeInfo(dir: string): Promise<CodeInfo | null>;
}
