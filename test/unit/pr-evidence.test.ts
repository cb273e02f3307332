import { describe, expect, it } from 'vitest';
import { MAX_BODY, stepBody, stepTitle, type StepEvidence } from '../../src/core/pull-requests/evidence.js';
import { mdCode, mdInline, mdQuote, mdText } from '../../src/core/pull-requests/markdown.js';
import { stepBranch } from '../../src/core/pull-requests/branch.js';

const advance: StepEvidence = {
  kind: 'advance',
  model: 'fraud',
  candidate: 4,
  champion: 3,
  rollout: 12,
  stage: { stage: 'ramp', weight: 25 },
  from: { stage: 'canary', weight: 5 },
  bake: '30m',
  actor: 'alice@example.com',
  gate: {
    runId: 7,
    verdict: 'pass',
    policy: 'gates.yaml',
    checks: [
      { id: 'auc', verdict: 'pass', inequality: 'auc: 0.9031 − 0.9062 = −0.0031 ≥ −0.0050 ✓' },
      { id: 'latency', verdict: 'warn', inequality: 'p99 `ms` 120 ≤ 100 ✗' },
    ],
  },
  liveChecks: [
    { name: 'error-rate', status: 'pass', value: 0.0012, max: 0.01, detail: '0.0012 ≤ max 0.01' },
    {
      name: 'ctr-vs-champion',
      status: 'pass',
      value: 0.003,
      interval: { low: -0.001, high: 0.007, level: 0.95 },
      detail: 'always-valid interval',
    },
  ],
  capacity: [
    { side: 'candidate', from: 1, to: 3 },
    { side: 'champion', from: 4, to: 3 },
  ],
  adr: {
    path: 'docs/adr/0005-promote-fraud-4.md',
    title: 'Promote fraud@4 to production',
    url: 'https://github.com/acme/deploy/blob/mlctl/fraud/12-ramp-25/docs/adr/0005-promote-fraud-4.md',
  },
  files: ['deploy/fraud.yaml', 'docs/adr/0005-promote-fraud-4.md'],
};

describe('the evidence of a step, as a pull request title and Markdown body', () => {
  it('titles name the step, from validated names only; aborts and rollbacks can be marked urgent', () => {
    expect(stepTitle({ ...advance, kind: 'start', stage: { stage: 'shadow', mirror: 100 } })).toBe(
      'mlctl: fraud@4 shadow (mirror 100%)',
    );
    expect(stepTitle(advance)).toBe('mlctl: fraud@4 ramp 25%');
    expect(stepTitle({ ...advance, kind: 'full', stage: { stage: 'full' } })).toBe('mlctl: fraud@4 full (champion)');
    expect(stepTitle({ ...advance, kind: 'abort', urgent: true })).toBe(
      '[urgent] mlctl: abort fraud@4 rollout at ramp 25%',
    );
    expect(stepTitle({ ...advance, kind: 'abort' })).toBe('mlctl: abort fraud@4 rollout at ramp 25%');
    expect(stepTitle({ ...advance, kind: 'rollback', urgent: true })).toBe('[urgent] mlctl: roll back fraud to @3');
  });

  it('an advance: stage and traffic, what merging and closing do, the gate run, live checks with intervals, capacity, the ADR', () => {
    const body = stepBody(advance);
    expect(body).toContain('<!-- mlctl-step {"model":"fraud","rollout":12,"kind":"advance","candidate":4} -->');
    expect(body).toContain('Moves the rollout of `fraud@4` from **canary 5%** to **ramp 25%**.');
    expect(body).toContain('| Traffic after merge | `fraud@4` 25%, `fraud@3` 75% |');
    expect(body).toContain('| Requested by | alice&#64;example.com |');
    expect(body).toContain(
      "Merging this pull request applies the change; mlctl records the step with the merge commit. The stage's bake time (30m) starts at the merge. Closing it without merging cancels the step: the rollout stays at canary 5%.",
    );
    expect(body).toContain('### Gate run 7: ✅ pass');
    // The warning before the pass: what a reviewer must see comes first; backticks inside a code span.
    expect(body).toMatch(/\| latency \| ⚠️ warn \| `` p99 `ms` 120 ≤ 100 ✗ `` \|\n\| auc \| ✅ pass \|/);
    expect(body).toContain('| Check | Status | Value | Bounds | Interval | Detail |');
    expect(body).toContain(
      '| ctr-vs-champion | ✅ pass | 0.003 | — | \\[-0.001, 0.007\\] (95%) | always-valid interval |',
    );
    expect(body).toContain('| error-rate | ✅ pass | 0.0012 | ≤ 0.01 | — | 0.0012 ≤ max 0.01 |');
    expect(body).toContain('| candidate | 1 → 3 |\n| champion | 4 → 3 |');
    expect(body).toContain(
      '[Promote fraud&#64;4 to production \\(docs/adr/0005-promote-fraud-4.md\\)](<https://github.com/acme/deploy/blob/mlctl/fraud/12-ramp-25/docs/adr/0005-promote-fraud-4.md>)',
    );
    expect(body).toContain('- `deploy/fraud.yaml`\n- `docs/adr/0005-promote-fraud-4.md`');
  });

  it('sections without data are left out; live checks without intervals have no interval column', () => {
    const body = stepBody({
      ...advance,
      kind: 'start',
      from: undefined,
      stage: { stage: 'shadow', mirror: 100 },
      gate: undefined,
      liveChecks: [{ name: 'errors', status: 'inconclusive', value: null, detail: 'no series' }],
      capacity: undefined,
      adr: { path: 'docs/adr/0005-x.md' },
    });
    expect(body).toContain('| Traffic after merge | `fraud@3` 100%, 100% mirrored to `fraud@4` |');
    expect(body).toContain('Closing it without merging cancels the step: the rollout does not start.');
    expect(body).not.toContain('### Gate run');
    expect(body).not.toContain('### Capacity');
    expect(body).toContain(
      '| Check | Status | Value | Bounds | Detail |\n| --- | --- | --- | --- | --- |\n| errors | ❔ inconclusive | — | — | no series |',
    );
    expect(body).toContain('### Decision record\n\n`docs/adr/0005-x.md`');
  });

  it('an urgent rollback says so first, with the reason quoted', () => {
    const body = stepBody({
      ...advance,
      kind: 'rollback',
      urgent: true,
      from: undefined,
      gate: undefined,
      liveChecks: undefined,
      reason: 'error rate doubled\n\n- page the on-call',
    });
    expect(body.split('\n\n').slice(1, 3)).toEqual([
      '> [!CAUTION]\n> Urgent: this pull request sends all traffic back to `fraud@3`. Review and merge it as soon as possible.',
      'Rolls `fraud` back to `fraud@3`.',
    ]);
    expect(body).toContain('| Traffic after merge | `fraud@3` 100% |');
    expect(body).toContain('**Reason**\n\n> error rate doubled\n>\n> \\- page the on-call');
    expect(body).toContain(
      'Merging this pull request applies the change. Until it is merged, the serving config still sends traffic as before.',
    );
  });

  it("people's text never becomes markup, HTML, links, mentions or references", () => {
    const hostile = 'cc @ml-team see #12 <img src=x onerror=alert(1)> [click](http://evil.example) **bold** | a\nb';
    const body = stepBody({
      ...advance,
      reason: hostile,
      actor: '<b>@root</b>',
      liveChecks: [{ name: 'x|y\n# z', status: 'fail', detail: hostile }],
    });
    expect(body).not.toMatch(/<img|<b>|\]\(http:\/\/evil|@ml-team|@root|#12|\*\*bold/);
    expect(body).toContain('&lt;img src=x onerror=alert\\(1\\)&gt;');
    expect(body).toContain('| x\\|y &#35; z | ❌ fail |');
    expect(mdText('1. first\n- second\n+ third\n==\n-1 and 0.5')).toBe(
      '1\\. first\n\\- second\n\\+ third\n\\==\n-1 and 0.5',
    );
    expect(mdInline('a\n  b')).toBe('a b');
    expect(mdQuote('a\n\nb')).toBe('> a\n>\n> b');
    expect(mdCode('``x``')).toBe('``` ``x`` ```');
    expect(mdCode('plain')).toBe('`plain`');
  });

  it('long evidence is cut to what a pull request body may hold, each table to 25 rows', () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({
      id: `check-${i}`,
      verdict: 'pass',
      inequality: `metric ${i}: ${'0.1 '.repeat(20)}`,
    }));
    const body = stepBody({ ...advance, gate: { runId: 1, verdict: 'pass', checks: many } });
    expect(body).toContain('…and 2975 more checks (`mlctl gate` shows them all).');
    expect(body.length).toBeLessThanOrEqual(MAX_BODY + 1);
    const huge = stepBody({ ...advance, reason: 'x'.repeat(100_000) });
    expect(huge.length).toBeLessThanOrEqual(MAX_BODY + 1);
    expect(huge).toMatch(/…\(cut: the evidence is longer than a pull request body may be\)\n$/);
  });

  it('branch names: mlctl/<model>/<rollout>-<stage>', () => {
    expect(stepBranch('fraud', 12, 'canary-5')).toBe('mlctl/fraud/12-canary-5');
    expect(stepBranch('fraud', 12, 'rollback')).toBe('mlctl/fraud/12-rollback');
    expect(() => stepBranch('fraud', 12, 'a..b')).toThrow(/cannot name a branch/);
    expect(() => stepBranch('fraud', '-1', 'full')).toThrow(/cannot name a branch/);
    expect(() => stepBranch('fr aud', 1, 'full')).toThrow(/cannot name a branch/);
  });
});
