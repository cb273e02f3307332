import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/core/config/index.js';
import { tempDir } from '../support/helpers.js';

describe('config resolution', () => {
  it('finds mlctl.yaml walking up and resolves paths against its folder', () => {
    const root = tempDir();
    writeFileSync(join(root, 'mlctl.yaml'), 'registry: db/reg.db\nartifacts: store\n');
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    const c = resolveConfig(join(root, 'a', 'b'), {});
    expect(c.root).toBe(root);
    expect(c.registry).toBe(join(root, 'db/reg.db'));
    expect(c.artifacts).toEqual({ kind: 'fs', path: join(root, 'store') });
  });
  it('flags beat environment beat the file', () => {
    const root = tempDir();
    writeFileSync(
      join(root, 'mlctl.yaml'),
      'registry: file.db\nartifacts: s3://bucket-a/p\ns3: { endpoint: "http://127.0.0.1:1" }\n',
    );
    const env = { MLCTL_REGISTRY: 'env.db', MLCTL_S3_ENDPOINT: 'http://127.0.0.1:2' };
    expect(resolveConfig(root, env).registry).toBe(join(root, 'env.db'));
    expect(resolveConfig(root, env, { registry: 'flag.db' }).registry).toBe(join(root, 'flag.db'));
    const a = resolveConfig(root, env).artifacts;
    expect(a).toMatchObject({
      kind: 's3',
      bucket: 'bucket-a',
      prefix: 'p',
      endpoint: 'http://127.0.0.1:2',
      forcePathStyle: true,
    });
  });
  it('refuses to guess a registry without mlctl.yaml', () => {
    expect(() => resolveConfig(tempDir(), {})).toThrow(/no mlctl.yaml found .* run 'mlctl init --yes'/);
  });
  it('reports unknown keys and bad YAML with a line', () => {
    const root = tempDir();
    writeFileSync(join(root, 'mlctl.yaml'), 'registry: a.db\nartefacts: x\n');
    expect(() => resolveConfig(root, {})).toThrow(/mlctl.yaml: unknown key "artefacts"; check the spelling \(line 2\)/);
    writeFileSync(join(root, 'mlctl.yaml'), 'registry: [a\n');
    expect(() => resolveConfig(root, {})).toThrow(/not valid YAML: .*\(line \d\)/);
  });
  it('rejects a malformed S3 URI', () => {
    const root = tempDir();
    writeFileSync(join(root, 'mlctl.yaml'), 'artifacts: s3://Bad_Bucket/x\n');
    expect(() => resolveConfig(root, {})).toThrow(/invalid S3 URI/);
  });
});

describe('config validation', () => {
  it.each([
    ['s3: { endpont: x }\n', /mlctl.yaml: s3: unknown key "endpont"; use endpoint, region/],
    ['s3: { endpoint: "not a url" }\n', /s3.endpoint: must be a URL/],
    ['s3: { partSizeMiB: 2 }\n', /s3.partSizeMiB: must be a whole number from 5 to 512 \(line 1\)/],
    ['s3: { forcePathStyle: "yes" }\n', /s3.forcePathStyle: must be true or false/],
    ['registry: 3\n', /registry: must be a non-empty string \(line 1\)/],
    ['- a\n- b\n', /expected a mapping of settings/],
  ])('rejects %j', (text, message) => {
    const root = tempDir();
    writeFileSync(join(root, 'mlctl.yaml'), text);
    expect(() => resolveConfig(root, {})).toThrow(message);
  });
});
