import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real small disks for fault tests (test code): a tmpfs of a few MiB that can fill up (ENOSPC) or be
 * remounted read-only (EROFS). Mounting needs root, which CI has (it runs as root); elsewhere the
 * tests that need it are skipped, saying so in their names.
 */
export interface TinyDisk {
  dir: string;
  readOnly(): void;
  unmount(): void;
}

function probe(): boolean {
  if (process.getuid?.() !== 0) return false;
  let disk: TinyDisk | undefined;
  try {
    disk = mountTinyDisk(64 * 1024);
    return true;
  } catch {
    return false;
  } finally {
    disk?.unmount();
  }
}

/** Whether this process may mount a tmpfs (root, with the capability to mount). */
export const CAN_MOUNT = probe();

export function mountTinyDisk(bytes: number): TinyDisk {
  const dir = mkdtempSync(join(tmpdir(), 'mlctl-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let mounted = true;
  return {
    dir,
    readOnly: () => execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' }),
    unmount: () => {
      if (mounted) execFileSync('umount', [dir], { stdio: 'pipe' });
      mounted = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
