/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS preload */
// Loaded with --require into benchmarked node processes: records peak RSS (KiB) at exit.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) {
    try {
      writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
    } catch {
      // best effort: the benchmark reports RSS as unknown
    }
  }
});
