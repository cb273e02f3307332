import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedDir } from './crd-validator.js';

/** The real serving schemas (../shared/protos, see its README) and the protobuf compiler. */
export const PROTOS_DIR = sharedDir('protos');
export const haveProtoc = spawnSync('protoc', ['--version'], { encoding: 'utf8' }).status === 0;
export const haveProtos = existsSync(join(PROTOS_DIR, 'tensorflow_serving/config/model_server_config.proto'));

const SCHEMAS = {
  tfserving: {
    includes: [PROTOS_DIR],
    message: 'tensorflow.serving.ModelServerConfig',
    proto: 'tensorflow_serving/config/model_server_config.proto',
  },
  triton: { includes: [join(PROTOS_DIR, 'triton')], message: 'inference.ModelConfig', proto: 'model_config.proto' },
} as const;

/*
 * model_server_config.proto imports google/protobuf/any.proto. Debian installs it with libprotobuf-dev
 * (.ci/run installs it), not with protobuf-compiler; where it is missing, its definition (two fields,
 * fixed since proto3 began) goes into a temporary include folder, removed when the process exits.
 */
let wellKnown: string | undefined;
function wellKnownIncludes(): string[] {
  if (existsSync('/usr/include/google/protobuf/any.proto')) return ['/usr/include'];
  if (!wellKnown) {
    wellKnown = mkdtempSync(join(tmpdir(), 'mlctl-protos-'));
    mkdirSync(join(wellKnown, 'google/protobuf'), { recursive: true });
    writeFileSync(
      join(wellKnown, 'google/protobuf/any.proto'),
      'syntax = "proto3";\npackage google.protobuf;\nmessage Any {\n  string type_url = 1;\n  bytes value = 2;\n}\n',
    );
    const dir = wellKnown;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return [wellKnown];
}

/** protoc --encode of a text-format file against the real schema: null when it parses, else protoc's message. */
export function protocCheck(kind: keyof typeof SCHEMAS, text: string): string | null {
  const s = SCHEMAS[kind];
  const includes = [...s.includes, ...(kind === 'tfserving' ? wellKnownIncludes() : [])].flatMap((d) => ['-I', d]);
  const r = spawnSync('protoc', [...includes, `--encode=${s.message}`, s.proto], { input: text, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return r.status === 0 ? null : r.stderr.toString('utf8').trim() || `protoc exited with ${r.status}`;
}
