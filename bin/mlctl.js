#!/usr/bin/env node
// CommonJS (bin/package.json): an ES module entry would start Node's ESM loader, which mlctl's
// CommonJS bundle does not need. Start-up budget and the code cache: docs/adr/0031.
'use strict';
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  // mlctl pins an AWS SDK that supports Node 20; its "upgrade Node" notice would only clutter stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // A reader that stops early (`mlctl list | head -1`) is not an error: leave quietly, no stack trace.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (err) => {
      if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  const { main, done } = require('./load-cli.js')(argv);
  main(argv).then((code) => {
    process.exitCode = code;
    done();
  });
}
