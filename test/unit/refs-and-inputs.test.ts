import { describe, expect, it } from 'vitest';
import { checkModelName, parseRef } from '../../src/core/refs.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { normalizeDigest } from '../../src/core/hashing/digest.js';
import { parseMetrics } from '../../src/core/inputs/metrics-file.js';
import { parseFeatureSchema } from '../../src/core/inputs/feature-schema.js';
import { checkManifestPath, manifestDigest } from '../../src/core/artifacts/manifest.js';
import { compactRanges, closeMatches } from '../../src/core/util/text.js';
import { parseDuration } from '../../src/core/util/duration.js';
import { UsageError } from '../../src/core/errors.js';

describe('refs and names', () => {
  it('parses versions and aliases', () => {
    expect(parseRef('fraud@3')).toMatchObject({ model: 'fraud', kind: 'version', version: 3 });
    expect(parseRef('fraud@champion')).toMatchObject({ kind: 'alias', alias: 'champion' });
    expect(parseRef('fraud.v2_x-y@latest')).toMatchObject({ model: 'fraud.v2_x-y', alias: 'latest' });
    expect(parseRef('fraud', { allowBare: true })).toMatchObject({ alias: 'latest' });
  });
  it.each(['fraud@', 'fraud@-1', 'fraud@0', 'fraud@Champion', '@3', 'fraud'])(
    'rejects bad ref %s with a usage error',
    (r) => {
      expect(() => parseRef(r)).toThrow(UsageError);
    },
  );
  it.each(['../x', 'a b', 'Fraud', '-x', '', 'x'.repeat(129), 'a/b', 'a..b'])('rejects model name %j', (n) => {
    expect(() => checkModelName(n)).toThrow(/invalid model name/);
  });
  it('accepts a 128-character name', () => {
    expect(checkModelName('a'.repeat(128))).toHaveLength(128);
  });
});

describe('digests and manifests', () => {
  it('canonical JSON sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });
  it('manifest digest ignores file order', () => {
    const a = { path: 'a', size: 1, sha256: '1'.repeat(64) };
    const b = { path: 'b', size: 2, sha256: '2'.repeat(64) };
    expect(manifestDigest([a, b])).toBe(manifestDigest([b, a]));
    expect(manifestDigest([a])).not.toBe(manifestDigest([a, b]));
  });
  it('normalizes sha256 digests and rejects others', () => {
    expect(normalizeDigest(`sha256:${'AB'.repeat(32)}`, 'x')).toBe(`sha256:${'ab'.repeat(32)}`);
    expect(() => normalizeDigest('sha256:abc', '--data-hash')).toThrow(
      /--data-hash: expected sha256: followed by 64 hex digits/,
    );
    expect(() => normalizeDigest(`md5:${'a'.repeat(64)}`, '--data-hash')).toThrow(UsageError);
  });
  it.each(['../evil', '/etc/passwd', 'a/../../b', 'a//b', 'C:/x', '', 'a/..'])(
    'refuses unsafe manifest path %j',
    (p) => {
      expect(() => checkManifestPath(p)).toThrow(/unsafe path/);
    },
  );
  it('accepts nested relative paths', () => {
    expect(checkManifestPath('sub/dir/model.bin')).toBe('sub/dir/model.bin');
  });
});

describe('metrics files', () => {
  it('reads the flat form', () => {
    expect(parseMetrics('{"auc": 0.91, "accuracy": 0.87}', 'm.json').rows).toEqual([
      { name: 'auc', value: 0.91, slice: null },
      { name: 'accuracy', value: 0.87, slice: null },
    ]);
  });
  it('reads the structured form with dataset and slices', () => {
    const m = parseMetrics(
      JSON.stringify({
        dataset: { name: 'holdout', sha256: 'a'.repeat(64) },
        metrics: { auc: 0.9 },
        slices: { 'country=US': { auc: 0.88 } },
      }),
      'm.json',
    );
    expect(m.dataset).toEqual({ name: 'holdout', digest: `sha256:${'a'.repeat(64)}` });
    expect(m.rows).toContainEqual({ name: 'auc', value: 0.88, slice: 'country=US' });
  });
  it('names the key, the bad value and the line', () => {
    expect(() => parseMetrics('{\n  "accuracy": 0.8,\n  "auc": "0.9x"\n}', 'metrics.json')).toThrow(
      'metrics.json: "auc" must be a finite number, got "0.9x" (line 3)',
    );
  });
  it('calls out NaN and Infinity with their line', () => {
    expect(() => parseMetrics('{\n "auc": NaN\n}', 'm.json')).toThrow(
      /m.json: NaN for "auc" is not a finite number \(line 2\)/,
    );
    expect(() => parseMetrics('{"auc": -Infinity}', 'm.json')).toThrow(/-Infinity/);
  });
  it('reports broken JSON with a line', () => {
    expect(() => parseMetrics('{\n"auc": 0.9,\n}', 'm.json')).toThrow(/m.json: not valid JSON: .*\(line \d\)/);
  });
  it('rejects a non-object', () => {
    expect(() => parseMetrics('[1,2]', 'm.json')).toThrow(/expected a JSON object/);
  });
});

describe('feature schemas', () => {
  it('accepts every documented type', () => {
    const s = parseFeatureSchema(
      JSON.stringify({
        inputs: ['boolean', 'integer', 'long', 'float', 'double', 'string', 'binary', 'datetime'].map((t, i) => ({
          name: `f${i}`,
          type: t,
        })),
        outputs: [{ name: 'score', type: 'double' }],
      }),
      's.json',
    );
    expect(s.inputs).toHaveLength(8);
  });
  it('names an unknown type with its path and line', () => {
    const text =
      '{\n  "inputs": [\n    {"name": "amount", "type": "double"},\n    {"name": "country", "type": "varchar"}\n  ]\n}';
    expect(() => parseFeatureSchema(text, 'schema.json')).toThrow(
      /schema.json: inputs\[1\].type: unknown type "varchar"; use one of boolean, .*\(line 4\)/,
    );
  });
  it('rejects duplicate field names and unknown keys', () => {
    expect(() =>
      parseFeatureSchema('{"inputs":[{"name":"a","type":"string"},{"name":"a","type":"string"}]}', 's.json'),
    ).toThrow(/duplicate field name "a"/);
    expect(() => parseFeatureSchema('{"inputs":[{"name":"a","type":"string","requird":true}]}', 's.json')).toThrow(
      /requird/,
    );
  });
});

describe('small utilities', () => {
  it('compacts version ranges', () => {
    expect(compactRanges([1, 2, 3, 5, 7, 8])).toBe('1-3, 5, 7-8');
  });
  it('finds close model names', () => {
    expect(closeMatches('frad', ['fraud', 'churn', 'fraud-eu'])).toContain('fraud');
  });
  it('parses durations', () => {
    expect(parseDuration('1h30m', 'x')).toBe(5_400_000);
    expect(parseDuration('7d', 'x')).toBe(604_800_000);
    expect(() => parseDuration('soon', '--grace')).toThrow(/--grace: invalid duration/);
  });
});
