#!/usr/bin/env node
// Bundles mlctl into dist/ with esbuild (type checking is `tsc --noEmit`; npm run build runs both):
// - dist/cli.cjs: the CLI as one CommonJS file, which bin/load-cli.js compiles with a V8 code
//   cache (Node 20 has no code cache for ES modules). Modules reached through import() stay
//   wrapped and run only when a command needs them.
// - dist/vendor/<group>.cjs: the large packages only some commands use (AWS SDK, pg, Parquet,
//   zod…), required on first use, so that a start-up without a code cache (the first run of a
//   command, a CI machine with an empty cache folder) does not parse them either.
// - dist/lib.js: the library API as ES modules, split so importers load only what they use.
// Start-up costs and the measurements behind this layout: docs/adr/0031.
import { build } from 'esbuild';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { isAscii } from 'node:buffer';

/** Package → vendor group (dist/vendor/<group>.cjs). Subpaths (hyparquet/src/…) go with their package. */
const VENDOR = {
  '@aws-sdk/client-s3': 'aws',
  zod: 'zod',
  pg: 'pg',
  pgpass: 'pg',
  hyparquet: 'parquet',
  'hyparquet-compressors': 'parquet',
  execa: 'exec',
  '@inquirer/prompts': 'prompts',
  'd3-scale': 'charts',
  'd3-shape': 'charts',
};
const packageOf = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

rmSync('dist', { recursive: true, force: true });
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Native addon: resolved from node_modules at run time.
  external: ['better-sqlite3'],
  legalComments: 'none',
  // Smaller sources compile faster, with or without a code cache.
  minify: true,
  keepNames: true,
  logLevel: 'warning',
};
const cjs = {
  ...common,
  format: 'cjs',
  // import() becomes a lazy require of the wrapped module: no ESM loader at all.
  supported: { 'dynamic-import': false },
};

// Each import of a vendored package becomes `require('./vendor/<group>.cjs').mods[<specifier>]`.
const used = new Map(); // group → Set of specifiers
const vendorPlugin = {
  name: 'vendor',
  setup(b) {
    b.onResolve({ filter: /^\.\/vendor\//, namespace: 'vendor' }, (args) => ({ path: args.path, external: true }));
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const group = VENDOR[packageOf(args.path)];
      if (!group) return undefined;
      if (!used.has(group)) used.set(group, new Set());
      used.get(group).add(args.path);
      return { path: args.path, namespace: 'vendor', pluginData: group };
    });
    b.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./vendor/${args.pluginData}.cjs`)}).mods[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
};
await build({
  ...cjs,
  entryPoints: { cli: 'src/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  plugins: [vendorPlugin],
  // src/cli/templates.ts finds templates/ from its own location.
  define: { 'import.meta.url': '__mlctlUrl' },
  banner: { js: "const __mlctlUrl = require('node:url').pathToFileURL(__filename).href;" },
});
for (const [group, specs] of used) {
  const list = [...specs].sort();
  // Marked as ES modules, so the importer sees the package's default and named exports as it would unbundled.
  const contents = `${list.map((s, i) => `import * as m${i} from ${JSON.stringify(s)};`).join('\n')}
export const mods = { ${list.map((s, i) => `${JSON.stringify(s)}: { ...m${i}, __esModule: true }`).join(', ')} };`;
  await build({
    ...cjs,
    stdin: { contents, resolveDir: '.', sourcefile: `vendor-${group}.js` },
    outfile: `dist/vendor/${group}.cjs`,
  });
}

const cli = readFileSync('dist/cli.cjs');
// Names the code cache of this build (bin/load-cli.js): V8 checks a cache against the source's length only.
const hash = createHash('sha256').update(cli).digest('hex').slice(0, 32);
appendFileSync('dist/cli.cjs', `//mlctl-build:${hash}\n`);
if (!isAscii(cli)) {
  const at = cli.findIndex((b) => b > 127);
  console.warn(
    `warning: dist/cli.cjs is not ASCII, so every start-up decodes it as UTF-8; write the character as a \\u escape: …${cli.subarray(Math.max(0, at - 60), at + 8).toString('utf8')}…`,
  );
}

await build({
  ...common,
  entryPoints: { lib: 'src/index.ts' },
  format: 'esm',
  splitting: true,
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS packages call require() for Node built-ins; made on first call, not per chunk.
  banner: {
    js: "import { createRequire as __mlctlCreateRequire } from 'node:module'; let __mlctlRequire; function require(id) { return (__mlctlRequire ??= __mlctlCreateRequire(import.meta.url))(id); }",
  },
});
