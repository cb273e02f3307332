import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface S3rverHandle {
  endpoint: string;
  port: number;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

const MAIN = fileURLToPath(new URL('./s3rver-main.cjs', import.meta.url));

/** Start s3rver on 127.0.0.1 with a random port and a fresh data folder. */
export function startS3rver(port = 0): Promise<S3rverHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'mlctl-s3rver-'));
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', MAIN, dir, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`s3rver did not start within 20 s: ${err}`));
    }, 20_000);
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const p = Number(m[1]);
        resolve({
          endpoint: `http://127.0.0.1:${p}`,
          port: p,
          pid: child.pid!,
          dir,
          stop: () =>
            new Promise<void>((res) => {
              const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
              child.once('exit', () => {
                clearTimeout(t);
                rmSync(dir, { recursive: true, force: true });
                res();
              });
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with ${code}: ${err}`));
    });
  });
}
