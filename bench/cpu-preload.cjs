/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS preload */
// Loaded with --require into benchmarked node processes (next to rss-preload.cjs): records the
// process's CPU time (user + system, ms, GC threads included) at exit, for growth measurements
// that other load on the machine does not distort the way it distorts wall time.
const { writeFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.BENCH_CPU_FILE) {
    try {
      const u = process.resourceUsage();
      writeFileSync(process.env.BENCH_CPU_FILE, String((u.userCPUTime + u.systemCPUTime) / 1000));
    } catch {
      // best effort: the benchmark reports CPU time as unknown
    }
  }
});
