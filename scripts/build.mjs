#!/usr/bin/env node
// Bundles the CLI into dist/ with esbuild: one module graph instead of hundreds of small ESM files,
// which is most of mlctl's start-up time. Code splitting keeps dynamic imports (AWS SDK, git,
// each command's core module) in chunks that load only when a command needs them.
// Type checking is `tsc --noEmit` (npm run build runs both).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: { main: 'src/cli/main.ts', lib: 'src/index.ts' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  // Native addon: resolved from node_modules at run time.
  external: ['better-sqlite3'],
  // Bundled CommonJS packages (commander, cli-table3…) call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __mlctlCreateRequire } from 'node:module'; const require = __mlctlCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  // Smaller sources compile faster: V8 compiling the chunks was ~60 ms of every command's start-up.
  minify: true,
  keepNames: true,
  logLevel: 'warning',
});
