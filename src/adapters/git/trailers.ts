import { StorageError } from '../../core/errors.js';
import { runGit } from './run-git.js';

/** Every commit on any ref of the repository at `dir` carrying trailer `key`, with its value. */
export async function trailerValues(dir: string, key: string): Promise<Array<{ commit: string; value: string }>> {
  try {
    const out = await runGit(dir, ['log', '--all', `--format=%H%x09%(trailers:key=${key},valueonly,separator=%x09)`]);
    const rows: Array<{ commit: string; value: string }> = [];
    for (const line of out.split('\n')) {
      const [commit, ...values] = line.split('\t');
      if (!commit || !/^[0-9a-f]{40}$/.test(commit)) continue;
      for (const v of values) if (v.trim()) rows.push({ commit, value: v.trim() });
    }
    return rows;
  } catch (err) {
    throw new StorageError(`cannot read the git history in ${dir}: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    });
  }
}
