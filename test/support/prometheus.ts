import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as netServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.js';

/** The Debian package `prometheus` (installed by .ci/run). */
export const havePrometheus = spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;

/** A port nothing listens on (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = netServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** A /metrics endpoint on 127.0.0.1 whose gauge values the test sets. */
export async function metricsEndpoint(): Promise<{
  port: number;
  set(line: string, value: number): void;
  close(): Promise<void>;
}> {
  const values = new Map<string, number>();
  const server: Server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(`# TYPE mlctl_test_error_ratio gauge\n${[...values].map(([k, v]) => `${k} ${v}`).join('\n')}\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    set: (line, value) => values.set(line, value),
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export interface PrometheusServer {
  url: string;
  /** Instant query, as the test's own view of what Prometheus has scraped. */
  query(q: string): Promise<Array<{ value: [number, string] }>>;
  /** Wait (bounded) until `q` returns exactly `value`. */
  waitFor(q: string, value: string): Promise<void>;
  stop(): Promise<void>;
}

/** A real Prometheus on 127.0.0.1 scraping `target` every second, with its own temporary storage. */
export async function startPrometheus(target: string): Promise<PrometheusServer> {
  const dir = tempDir('mlctl-prom-');
  const port = await freePort();
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: test\n    static_configs:\n      - targets: ['${target}']\n`,
  );
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  const query = async (q: string) => {
    const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
    return ((await r.json()) as { data: { result: Array<{ value: [number, string] }> } }).data.result;
  };
  const waitFor = async (q: string, value: string) => {
    for (let i = 0; i < 150; i++) {
      try {
        const r = await query(q);
        if (r.length === 1 && r[0]!.value[1] === value) return;
      } catch {
        // not up yet
      }
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error(`Prometheus at ${url} never returned ${value} for ${q}`);
  };
  return {
    url,
    query,
    waitFor,
    stop: () =>
      new Promise((res) => {
        if (child.exitCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
      }),
  };
}
