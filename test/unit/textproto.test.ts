import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { TextProtoError } from '../../src/core/serving/textproto/located.js';
import { decodeString, encodeString, parseInteger } from '../../src/core/serving/textproto/literals.js';
import { parseTextProto, type TpMessage } from '../../src/core/serving/textproto/parse.js';
import { tokenize } from '../../src/core/serving/textproto/tokens.js';
import { applyEdits, insertFields, removeField, setRepeatedScalars } from '../../src/core/serving/textproto/edit.js';
import { CONFIG_PBTXT, THREE_MODELS, example } from '../support/textproto-samples.js';

const SAMPLES: Array<[string, string]> = [
  ['three models', THREE_MODELS],
  ['config.pbtxt', CONFIG_PBTXT],
  ['tfserving example', example('tfserving.models.config')],
  ['triton example', example('triton.config.pbtxt')],
  ['empty', ''],
  ['only a comment', '# nothing yet'],
  [
    'angle brackets, separators, extensions',
    'a < b: 1; c: -2.5e3f, > [pkg.ext] { x: inf } [type.googleapis.com/p.T] { y: -nan }\n',
  ],
  ['concatenated strings', "s: 'a' \"b\"\n  'c\\x41\\101' # tail\n"],
];

const field = (m: TpMessage, name: string) => m.fields.find((f) => f.name === name)!;

describe('text-format protobuf: tokens and syntax tree', () => {
  it.each(SAMPLES)('%s: the tokens, joined, are the file byte for byte', (_n, text) => {
    expect(
      tokenize(text, 'f')
        .map((t) => t.text)
        .join(''),
    ).toBe(text);
    const doc = parseTextProto(text, 'f');
    expect(doc.root).toMatchObject({ start: 0, end: text.length });
  });

  it('reads messages, lists, both colon styles, and decodes strings', () => {
    const doc = parseTextProto(CONFIG_PBTXT, 'config.pbtxt');
    expect(doc.root.fields.map((f) => f.name)).toEqual([
      'name',
      'platform',
      'max_batch_size',
      'version_policy',
      'dynamic_batching',
      'input',
      'output',
      'parameters',
    ]);
    const policy = field(doc.root, 'version_policy');
    expect(policy.colon).toBe(true);
    const specific = field(policy.value as TpMessage, 'specific');
    const versions = field(specific.value as TpMessage, 'versions').value;
    expect(versions.kind === 'list' && versions.items.map((i) => i.kind === 'scalar' && i.value)).toEqual(['1']);
    expect(field(doc.root, 'dynamic_batching').colon).toBe(false);
    const input = field(doc.root, 'input').value;
    expect(input.kind === 'list' && input.items[0]!.kind).toBe('message');
    const params = field(doc.root, 'parameters').value as TpMessage;
    const value = field(params, 'value').value as TpMessage;
    expect(field(value, 'string_value').value).toMatchObject({ type: 'string', value: 'tab\there "quoted" é é' });
    const s = parseTextProto("s: 'a' \"b\"\n  'c\\x41\\101' # tail\n", 'f').root.fields[0]!;
    expect(s.value).toMatchObject({ value: 'abcAA' });
  });

  it('keeps field spans exact, separators included', () => {
    const text = 'a: 1, b { c: "x" };\nd: [1, 2]';
    const [a, b, d] = parseTextProto(text, 'f').root.fields;
    expect(text.slice(a!.start, a!.sepEnd)).toBe('a: 1,');
    expect(text.slice(b!.start, b!.end)).toBe('b { c: "x" }');
    expect(text.slice(b!.start, b!.sepEnd)).toBe('b { c: "x" };');
    expect(text.slice(d!.value.start, d!.value.end)).toBe('[1, 2]');
  });

  it('strings: encoding then decoding gives the value back', () => {
    for (const v of ['plain', 'with "double" and \'single\'', 'back\\slash', 'tab\tnl\nnul\0del\x7f', 'ünïcødé 😀', ''])
      for (const q of ['"', "'"] as const) {
        const lit = encodeString(v, q);
        expect(decodeString(lit)).toBe(v);
        expect(parseTextProto(`s: ${lit}`, 'f').root.fields[0]!.value).toMatchObject({ value: v });
      }
  });

  it('integers in decimal, hex and octal', () => {
    expect([
      parseInteger('42'),
      parseInteger('0x1F'),
      parseInteger('017'),
      parseInteger('-3'),
      parseInteger('0'),
    ]).toEqual([42n, 31n, 15n, -3n, 0n]);
    expect([parseInteger('1.5'), parseInteger('08'), parseInteger('abc'), parseInteger('')]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('text-format protobuf: malformed input gives a located error', () => {
  it.each([
    [
      'an unclosed message',
      'model_config_list {\n  config {\n    name: "a"\n',
      4,
      1,
      'expected "}" to close the "{" at 2:10, found end of file',
    ],
    ['a stray closing brace', 'a: 1\n}\n', 2, 1, 'expected a field name, found "}"'],
    ['a scalar without colon', 'name "fraud"', 1, 6, 'expected ":" or "{" after name'],
    ['an unterminated string', 'name: "fraud\n', 1, 7, 'unterminated string'],
    ['a bad escape', 'name: "a\\qb"', 1, 9, 'invalid escape "\\\\q"'],
    ['an unknown character', 'a: 1\nb @ 2', 2, 3, 'unexpected character "@"'],
    ['a malformed number', 'versions: 12ab', 1, 11, 'malformed number'],
    ['a list without closing bracket', 'versions: [1, 2', 1, 16, 'expected "," or "]", found end of file'],
    ['a missing value', 'versions: }', 1, 11, 'expected a value'],
    ['a minus before a string', 'v: -"x"', 1, 5, 'expected a number after "-"'],
    ['mixed list items', 'v: [1, { a: 1 }]', 1, 16, 'a list of only messages or only values'],
    ['a scalar list without colon', 'v [1]', 1, 4, 'a list of scalars needs ":"'],
    ['a mismatched bracket', 'a < b: 1 }', 1, 10, 'expected ">" to close the "<" at 1:3, found "}"'],
    ['an unclosed extension name', '[a.b { }', 1, 6, '"]" to close the extension name'],
  ])('%s', (_n, text, line, column, detail) => {
    let err: unknown;
    try {
      parseTextProto(text, 'models.config');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TextProtoError);
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ file: 'models.config', line, column, exitCode: 2 });
    expect((err as Error).message).toContain(`models.config:${line}:${column}: `);
    expect((err as Error).message).toContain(detail);
  });

  it('deep nesting is refused with a located error, not a stack overflow', () => {
    expect(() => parseTextProto('a '.concat('{ a '.repeat(5000)), 'f')).toThrow(TextProtoError);
    expect(() => parseTextProto('a: [' + '{ a: ['.repeat(5000), 'f')).toThrow(/nested messages/);
  });

  it('fuzz: truncations and mutations of every sample either parse losslessly or fail with a located error', () => {
    // A fixed-seed generator: the same inputs on every run.
    let seed = 0x9e3779b9;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const alphabet = [
      '{',
      '}',
      '[',
      ']',
      '<',
      '>',
      ':',
      ',',
      ';',
      '"',
      "'",
      '\\',
      '#',
      '\n',
      ' ',
      '-',
      '.',
      'x',
      '0',
      '9',
      'é',
      '/',
    ];
    const inputs: string[] = [];
    for (const [, text] of SAMPLES) {
      for (let i = 0; i <= text.length; i += Math.max(1, Math.floor(text.length / 60))) inputs.push(text.slice(0, i));
      for (let k = 0; k < 300; k++) {
        let t = text;
        for (let j = 0, n = 1 + rand(3); j < n; j++) {
          const at = rand(t.length + 1);
          const op = rand(3);
          const ch = alphabet[rand(alphabet.length)]!;
          t =
            op === 0
              ? t.slice(0, at) + ch + t.slice(at)
              : op === 1
                ? t.slice(0, at) + t.slice(at + 1)
                : t.slice(0, at) + ch + t.slice(at + 1);
        }
        inputs.push(t);
      }
    }
    let parsed = 0;
    let refused = 0;
    for (const t of inputs) {
      try {
        const doc = parseTextProto(t, 'fuzz.config');
        expect(
          tokenize(t, 'fuzz.config')
            .map((x) => x.text)
            .join(''),
        ).toBe(t);
        expect(doc.root.end).toBe(t.length);
        parsed++;
      } catch (e) {
        expect(e).toBeInstanceOf(TextProtoError);
        const { line, column } = e as TextProtoError;
        expect(line).toBeGreaterThanOrEqual(1);
        expect(column).toBeGreaterThanOrEqual(1);
        expect(line).toBeLessThanOrEqual(t.split('\n').length);
        refused++;
      }
    }
    // Both outcomes are exercised, or the fuzzing says nothing.
    expect(parsed).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});

describe('text-format protobuf: edits touch only their own range', () => {
  const edit = (text: string, f: (doc: ReturnType<typeof parseTextProto>) => Parameters<typeof applyEdits>[1]) =>
    applyEdits(text, f(parseTextProto(text, 'f')));

  it('inserts in the style of the message: own lines in a block, inline on one line', () => {
    const block = 'm {\n    a: 1  # one\n    b: 2\n}\n';
    expect(
      edit(block, (d) => [insertFields(d, d.root.fields[0]!.value as TpMessage, [{ name: 'c', scalar: '3' }])]),
    ).toBe('m {\n    a: 1  # one\n    b: 2\n    c: 3\n}\n');
    const inline = 'm { a: 1, b: 2 }\n';
    expect(
      edit(inline, (d) => [insertFields(d, d.root.fields[0]!.value as TpMessage, [{ name: 'c', scalar: '3' }])]),
    ).toBe('m { a: 1, b: 2, c: 3 }\n');
    expect(
      edit('m {}\n', (d) => [insertFields(d, d.root.fields[0]!.value as TpMessage, [{ name: 'c', scalar: '3' }])]),
    ).toBe('m { c: 3 }\n');
    const nested = 'x {\n  y {\n  }\n}\n';
    expect(
      edit(nested, (d) => {
        const y = (d.root.fields[0]!.value as TpMessage).fields[0]!.value as TpMessage;
        return [insertFields(d, y, [{ name: 'p', fields: [{ name: 'q', scalar: '1' }] }])];
      }),
    ).toBe('x {\n  y {\n    p {\n      q: 1\n    }\n  }\n}\n');
  });

  it('removes a field with its line and trailing comment, or just its text inline', () => {
    const text = 'a: 1\nb: 2  # gone too\nc: 3\n';
    expect(edit(text, (d) => [removeField(d, d.root.fields[1]!)])).toBe('a: 1\nc: 3\n');
    expect(
      edit('m { a: 1 b: 2 c: 3 }', (d) => [removeField(d, (d.root.fields[0]!.value as TpMessage).fields[1]!)]),
    ).toBe('m { a: 1 c: 3 }');
  });

  it('repeated scalars keep the author’s form: a list stays a list, repeated fields stay repeated', () => {
    const m = (d: ReturnType<typeof parseTextProto>) => d.root.fields[0]!.value as TpMessage;
    expect(edit('s { versions: [1] }', (d) => setRepeatedScalars(d, m(d), 'versions', ['1', '2']))).toBe(
      's { versions: [1, 2] }',
    );
    expect(edit('s {\n  versions: 1\n}', (d) => setRepeatedScalars(d, m(d), 'versions', ['1', '2']))).toBe(
      's {\n  versions: 1\n  versions: 2\n}',
    );
    expect(edit('s { versions: 1 versions: 2 }', (d) => setRepeatedScalars(d, m(d), 'versions', ['2']))).toBe(
      's { versions: 2 }',
    );
    expect(edit('s {\n  versions: 1\n  versions: 2\n}\n', (d) => setRepeatedScalars(d, m(d), 'versions', ['2']))).toBe(
      's {\n  versions: 2\n}\n',
    );
  });
});
