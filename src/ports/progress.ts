/** Byte or item progress from long core operations; the CLI draws a bar on a TTY, tests pass a no-op. */
export interface Progress {
  start(label: string, total: number, unit: 'bytes' | 'items'): void;
  tick(n: number): void;
  stop(): void;
}

export const noProgress: Progress = { start() {}, tick() {}, stop() {} };
