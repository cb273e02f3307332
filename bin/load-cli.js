'use strict';
// Loads dist/cli.cjs (the CLI as one CommonJS bundle) with a V8 code cache in the user cache
// folder, one file per command: compiling the bundle's functions was most of a command's start-up.
// Node 22 has module.enableCompileCache(); Node 20 has only vm.Script's cachedData. The cache is
// named by the bundle's content hash (V8 itself checks only the source's length), the Node version
// and the command; any problem with it (unwritable folder, damaged file) means compiling as usual,
// and data V8 rejects is written again.
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { isAscii } = require('node:buffer');
const { homedir } = require('node:os');
const { join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, '..', 'dist', 'cli.cjs');
// Global options that take a value (as in src/cli/program.ts): the word after them is not the command.
const VALUED = new Set(['--registry', '--artifacts', '--lock-timeout']);

function commandWord(argv) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') break;
    if (!a.startsWith('-')) return /^[a-z]{1,20}$/.test(a) ? a : 'other';
    if (VALUED.has(a)) i++;
  }
  return 'none';
}

/** As cacheRoot() in src/cli/deps.ts: MLCTL_CACHE_DIR, else $XDG_CACHE_HOME/mlctl, else ~/.cache/mlctl. */
function cacheRoot(env) {
  if (env.MLCTL_CACHE_DIR) return env.MLCTL_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'mlctl');
  return join(env.HOME || homedir(), '.cache', 'mlctl');
}

function readOrNull(file) {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}

/** The CLI's exports, and done(): call it after the command ran, to write the cache if it was missing or stale. */
module.exports = function loadCli(argv, env = process.env) {
  const bytes = readFileSync(BUNDLE);
  // ASCII (scripts/build.mjs warns otherwise) read as Latin-1: a one-byte string, no decoding.
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  // The last line, written by scripts/build.mjs: `//mlctl-build:<sha256 of the rest>`.
  const build = /\/\/mlctl-build:([0-9a-f]{16,64})\s*$/.exec(source.slice(-100))?.[1];
  const word = commandWord(argv);
  const file =
    build && env.MLCTL_CODE_CACHE !== '0'
      ? join(cacheRoot(env), 'code-cache', `${build}-${process.version}-${process.arch}-${word}.bin`)
      : null;
  const cachedData = file ? readOrNull(file) : null;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    cachedData: cachedData ?? undefined,
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(BUNDLE), mod, BUNDLE, join(__dirname, '..', 'dist'));
  return {
    main: mod.exports.main,
    done() {
      // After the command: the cache then holds every function it compiled, not only the top level.
      if (!file || (cachedData && !script.cachedDataRejected)) return;
      const dir = join(file, '..');
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, file);
        // Caches of other builds or another Node: removed a month after they were written (not at
        // once, so two mlctl installs sharing the folder do not keep deleting each other's).
        const old = Date.now() - 30 * 86_400_000;
        for (const f of readdirSync(dir)) {
          const p = join(dir, f);
          if (!f.startsWith(`${build}-${process.version}-`) && statSync(p).mtimeMs < old) rmSync(p, { force: true });
        }
      } catch {
        // No cache this time (read-only home, full disk): the next run compiles again.
        try {
          rmSync(tmp, { force: true });
        } catch {
          // not even a folder to write it in
        }
      }
    },
  };
};
