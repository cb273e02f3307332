import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { parseYamlDoc } from '../../src/core/inputs/located-doc.js';
import { readCompareCheck } from '../../src/core/rollout/compare-check-config.js';

/** Reads rollout.checks.<name>.compare from a YAML text, with line numbers like mlctl.yaml's reader. */
function read(yaml: string, name = 'errors-vs-champion') {
  const doc = parseYamlDoc(yaml, 'mlctl.yaml');
  const raw = doc.value as { rollout: { checks: Record<string, { compare: unknown }> } };
  return readCompareCheck(raw.rollout.checks[name]!.compare, name, { file: 'mlctl.yaml', lineOf: doc.lineOf });
}

const head = `rollout:
  checks:
    errors-vs-champion:
      compare:
`;
const prom = `        prometheus:
          url: http://127.0.0.1:9090
          events: 'sum(increase(http_requests_total{model="{model}",version="{version}",code=~"5.."}[{window}]))'
          trials: 'sum(increase(http_requests_total{model="{model}",version="{version}"}[{window}]))'
`;

describe('compare check configuration', () => {
  it('reads the documented shape with its defaults', () => {
    const c = read(`${head}${prom}        better: lower\n        margin: 0.002\n`);
    expect(c).toEqual({
      source: {
        kind: 'prometheus',
        url: 'http://127.0.0.1:9090',
        events: expect.stringContaining('code=~"5.."') as string,
        trials: expect.stringContaining('{version}') as string,
        timeout: '10s',
      },
      better: 'lower',
      margin: 0.002,
      alpha: 0.05,
      minTrials: 1000,
      tau: 0.002,
      tauIsDefault: true,
      against: 'champion',
    });
  });

  it('reads a command source and every key written out', () => {
    const c = read(
      `${head}        command: './live-counts.sh {model} {candidate} {champion} {since}'\n        timeout: 2m\n` +
        `        better: higher\n        margin: 0\n        alpha: 0.01\n        min_trials: 500\n        tau: 0.01\n        against: baseline\n`,
    );
    expect(c).toEqual({
      source: { kind: 'command', command: './live-counts.sh {model} {candidate} {champion} {since}', timeout: '2m' },
      better: 'higher',
      margin: 0,
      alpha: 0.01,
      minTrials: 500,
      tau: 0.01,
      tauIsDefault: false,
      against: 'baseline',
    });
  });

  const ok = `        better: lower\n        margin: 0.002\n`;
  it.each([
    [
      'missing source',
      `${head}${ok}`,
      /rollout.checks.errors-vs-champion.compare: needs a source of counts: prometheus/,
      5,
    ],
    [
      'both sources',
      `${head}${prom}        command: ./x.sh\n${ok}`,
      /rollout.checks.errors-vs-champion.compare: has both prometheus and command/,
      9,
    ],
    [
      'negative margin',
      `${head}${prom}        better: lower\n        margin: -0.001\n`,
      /compare.margin: must be from 0 \(inclusive\) to 1, got -0.001/,
      10,
    ],
    ['alpha 0', `${head}${prom}${ok}        alpha: 0\n`, /compare.alpha: must be in \(0, 0.5\], got 0/, 11],
    ['alpha above 0.5', `${head}${prom}${ok}        alpha: 0.6\n`, /compare.alpha: must be in \(0, 0.5\], got 0.6/, 11],
    [
      'unknown key',
      `${head}${prom}${ok}        margins: 0.01\n`,
      /rollout.checks.errors-vs-champion.compare: unknown key "margins"; use prometheus, command/,
      11,
    ],
    [
      'unknown key inside prometheus',
      `${head}${prom}          query: up\n${ok}`,
      /compare.prometheus: unknown key "query"; use url, events, trials, timeout/,
      9,
    ],
    [
      'margin as a string',
      `${head}${prom}        better: lower\n        margin: "0.002"\n`,
      /compare.margin: must be a number/,
      10,
    ],
    [
      'better misspelled',
      `${head}${prom}        better: lowest\n        margin: 0.002\n`,
      /compare.better: must be lower or higher, got "lowest"/,
      9,
    ],
    ['better missing', `${head}${prom}        margin: 0.002\n`, /compare: needs better: lower/, 5],
    ['margin missing', `${head}${prom}        better: lower\n`, /compare: needs margin:/, 5],
    [
      'min_trials fractional',
      `${head}${prom}${ok}        min_trials: 10.5\n`,
      /compare.min_trials: must be a whole number ≥ 1, got 10.5/,
      11,
    ],
    [
      'min_trials 0',
      `${head}${prom}${ok}        min_trials: 0\n`,
      /compare.min_trials: must be a whole number ≥ 1, got 0/,
      11,
    ],
    ['tau 0', `${head}${prom}${ok}        tau: 0\n`, /compare.tau: must be in \(0, 1\], got 0/, 11],
    [
      'margin 0 without tau',
      `${head}${prom}        better: lower\n        margin: 0\n`,
      /margin is 0, so tau has no default/,
      10,
    ],
    [
      'against unknown',
      `${head}${prom}${ok}        against: canary\n`,
      /compare.against: must be champion or baseline/,
      11,
    ],
    [
      'a query without {version}',
      `${head}        prometheus: { url: "http://p:9090", events: "sum(errors)", trials: "sum(reqs{version=\\"{version}\\"})" }\n${ok}`,
      /compare.prometheus.events: must contain \{version\}/,
      5,
    ],
    [
      'a url that is not one',
      `${head}        prometheus: { url: "prometheus:9090", events: "{version}", trials: "{version}" }\n${ok}`,
      /compare.prometheus.url: must be a URL such as http:\/\/prometheus:9090/,
      5,
    ],
    [
      'timeout beside a prometheus source',
      `${head}${prom}        timeout: 5s\n${ok}`,
      /compare.timeout: a prometheus source keeps its timeout inside prometheus/,
      9,
    ],
    [
      'a bad duration',
      `${head}        command: ./x.sh\n        timeout: soon\n${ok}`,
      /compare.timeout: invalid duration "soon"/,
      6,
    ],
    ['compare not a mapping', `${head.replace('compare:\n', 'compare: yes\n')}`, /compare: must be a mapping/, 4],
    // Errors about the whole mapping point at its first line (the line after `compare:`).
  ])('%s → UsageError naming the check, key and line', (_what, yaml, msg, line) => {
    let err: unknown;
    try {
      read(yaml);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    const text = (err as Error).message;
    expect(text).toMatch(/^mlctl.yaml: rollout.checks.errors-vs-champion.compare/);
    expect(text).toMatch(msg);
    expect(text).toMatch(new RegExp(`\\(line ${line}\\)$`));
  });

  it('names the file without a line when the caller has no positions', () => {
    expect(() => readCompareCheck({ better: 'lower', margin: 0.002 }, 'c', { file: 'mlctl.yaml' })).toThrow(
      /^mlctl.yaml: rollout.checks.c.compare: needs a source of counts: .*\{since\}"$/,
    );
  });
});
