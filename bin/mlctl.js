#!/usr/bin/env node
// Fast path: `mlctl --version` must not pay for loading the CLI (start-up budget in the bench).
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${pkg.version}\n`);
} else {
  // mlctl pins an AWS SDK that supports Node 20; its "upgrade Node" notice would only clutter stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { main } = await import('../dist/main.js');
  process.exitCode = await main(argv);
}
