import { describe, expect, it } from 'vitest';
import { run, runOk, writeJson, writeModel } from '../support/helpers.js';
import { git, gitopsProject, type GitopsProject } from '../support/gitops-project.js';
import { crdValidator, haveCrds } from '../support/crd-validator.js';

/*
 * Issue 14: every stage of a rollout writes replica counts sized from serving.<model>.capacity —
 * the candidate for its share, the champion at full size until the candidate is champion — and
 * the old champion goes to zero only in the first tick after scaleDownAfter.
 */

const json = (s: string) => JSON.parse(s);
const T0 = '2026-11-23T10:00:00Z';
const at = (minutes: number) => ({ MLCTL_NOW: new Date(Date.parse(T0) + minutes * 60_000).toISOString() });

type Adapter = 'kserve' | 'seldon' | 'generic';

const config = (adapter: Adapter, capacity = 'peak_qps: 6944, qps_per_replica: 80') => `serving:
  fraud:
    adapter: ${adapter}
    files: [deploy/fraud.yaml]
    plan: sized
    capacity: { ${capacity}, headroom: 0.5, min_replicas: 3, scaleDownAfter: 1h }
rollout:
  plans:
    sized:
${adapter === 'kserve' ? '' : '      - { stage: shadow, mirror: 100 }\n'}      - { stage: canary, weight: 5 }
      - { stage: ramp, weight: 25 }
      - { stage: ramp, weight: 50 }
      - { stage: full }
`;

/** The replica counts a file says, by side: champion (or stable), candidate, the old champion kept after full. */
function replicas(adapter: Adapter, p: GitopsProject): Record<string, number | undefined> {
  const docs = p.docs();
  if (adapter === 'kserve') return { serving: docs[0]!.spec.predictor.minReplicas };
  if (adapter === 'generic') {
    const d = docs[0]!;
    return {
      stable: d.stable.replicas,
      candidate: d.candidate?.replicas ?? d.mirror?.replicas,
      previous: d.previous?.replicas,
    };
  }
  const model = (name: string) => docs.find((d) => d.kind === 'Model' && d.metadata.name === name)?.spec.replicas;
  return { stable: model('fraud'), candidate: model('fraud-candidate'), previous: model('fraud-previous') };
}

/** fraud@1 champion (promoted directly), fraud@2 started. */
async function started(adapter: Adapter, capacity?: string) {
  const p = await gitopsProject({ adapter, config: config(adapter, capacity) });
  await runOk(['promote', 'fraud@1', '--yes'], { cwd: p.dir, env: at(0) });
  return p;
}

const promote = (p: GitopsProject, min: number, ...more: string[]) =>
  run(['promote', 'fraud@2', '--yes', ...more], { cwd: p.dir, env: at(min) });

/** Per stage of the standard plan (6,944 QPS, 80 per replica, 50% headroom, at least 3). */
const EXPECTED: Record<Adapter, Array<Record<string, number | undefined>>> = {
  generic: [
    { stable: 174, candidate: 174, previous: undefined }, // shadow 100%: the candidate mirrors all of the peak
    { stable: 174, candidate: 9, previous: undefined },
    { stable: 174, candidate: 44, previous: undefined },
    { stable: 174, candidate: 87, previous: undefined },
    { stable: 174, candidate: undefined, previous: 174 }, // full: fraud@2 is stable, fraud@1 stays up
  ],
  seldon: [
    { stable: 174, candidate: 174, previous: undefined },
    { stable: 174, candidate: 9, previous: undefined },
    { stable: 174, candidate: 44, previous: undefined },
    { stable: 174, candidate: 87, previous: undefined },
    { stable: 174, candidate: undefined, previous: 174 },
  ],
  // KServe's predictor describes the latest revision only: the candidate's count while it canaries.
  kserve: [{ serving: 9 }, { serving: 44 }, { serving: 87 }, { serving: 174 }],
};

describe('rollouts write replicas per stage (serving.<model>.capacity)', () => {
  for (const adapter of ['generic', 'seldon', 'kserve'] as const) {
    it(`${adapter}: expected replicas at every stage, champion full until full, old champion to 0 only after scaleDownAfter${haveCrds && adapter !== 'generic' ? ', CRD-valid throughout' : ''}`, async () => {
      const p = await started(adapter);
      // The plan shows the counts before anything is written.
      const plan = json(
        (await runOk(['rollout', 'plan', 'fraud@2', '--json'], { cwd: p.dir, env: at(1) })).stdout,
      ).data;
      expect(plan.stages.map((s: { replicas: { candidate: number; champion: number } }) => s.replicas)).toEqual(
        (adapter === 'kserve' ? [9, 44, 87, 174] : [174, 9, 44, 87, 174]).map((c) => ({
          candidate: c,
          champion: 174,
          total: c + 174,
          overMax: false,
        })),
      );
      expect(plan.scaleDown).toEqual({ candidate: 174, champion: 0, after: '1h' });
      const states = [p.docs()];
      const seen: Array<Record<string, number | undefined>> = [];
      const steps = EXPECTED[adapter].length;
      for (let i = 0; i < steps; i++) {
        const r = await promote(p, 1 + i, ...(i === 0 ? ['--force', '--reason', 'no gate in this test'] : []));
        expect(r.code, r.stderr).toBe(0);
        seen.push(replicas(adapter, p));
        states.push(p.docs());
      }
      expect(seen).toEqual(EXPECTED[adapter]);
      const fullAt = steps; // minutes after T0
      // Within the window nothing moves: a rollback would find fraud@1 warm.
      const early = json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(fullAt + 30) })).stdout);
      const head = git(p.dir, 'rev-parse', 'HEAD');
      if (adapter === 'kserve') {
        // Knative scales the old revision down itself once it leaves the route: nothing is owed.
        expect(early.data).toEqual([]);
        expect(git(p.dir, 'rev-parse', 'HEAD')).toBe(head);
      } else {
        expect(early.data).toEqual([
          expect.objectContaining({
            action: 'waiting',
            detail: `fraud@1 scaled to 0 after ${new Date(Date.parse(T0) + (fullAt + 60) * 60_000).toISOString()} (30m left): a rollback until then is instant`,
          }),
        ]);
        const late = json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(fullAt + 61) })).stdout);
        expect(late.data).toEqual([
          expect.objectContaining({ action: 'cleaned-up', detail: 'fraud@1 scaled to 0', commit: expect.any(String) }),
        ]);
        expect(replicas(adapter, p)).toEqual({ stable: 174, candidate: undefined, previous: undefined });
        expect(p.log()[0]).toBe("mlctl: fraud@2 after full's 1h window: fraud@1 scaled to 0");
        expect(git(p.dir, 'log', '-1', '--format=%(trailers:key=Mlctl-Action,valueonly)').trim()).toBe('cleanup');
        states.push(p.docs());
        // Done once: the next tick finds nothing to do.
        const again = json((await runOk(['rollout', 'tick', '--json'], { cwd: p.dir, env: at(fullAt + 62) })).stdout);
        expect(again.data).toEqual([]);
      }
      expect(git(p.dir, 'status', '--porcelain')).toBe('');
      if (haveCrds && adapter !== 'generic') {
        const validate = crdValidator();
        for (const docs of states)
          for (const d of docs)
            expect(validate(d as { apiVersion: string; kind: string }), `${adapter} ${d.kind}`).toEqual([]);
      }
      expect((await run(['audit', 'verify'], { cwd: p.dir })).code).toBe(0);
    });
  }

  it('an abort lands on the champion at full size: it was never shrunk', async () => {
    const p = await started('generic');
    expect((await promote(p, 1, '--force', '--reason', 'test')).code).toBe(0);
    expect((await promote(p, 2)).code).toBe(0);
    expect(replicas('generic', p)).toEqual({ stable: 174, candidate: 9, previous: undefined });
    await runOk(['rollback', 'fraud', '--yes'], { cwd: p.dir, env: at(3) });
    expect(replicas('generic', p)).toEqual({ stable: 174, candidate: undefined, previous: undefined });
    expect(p.docs()[0]!.stable.version).toBe(1);
  });

  it('a stage needing more than max_replicas is refused with the numbers (exit 2), nothing written; the plan says so first', async () => {
    const p = await started('generic', 'peak_qps: 6944, qps_per_replica: 80, max_replicas: 300');
    const plan = await run(['rollout', 'plan', 'fraud@2'], { cwd: p.dir, env: at(1) });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      '1. shadow (mirror 100%) — replicas: 174 candidate + 174 champion = 348 (above max_replicas: refused)',
    );
    expect(plan.stdout).toContain('2. canary 5% — replicas: 9 candidate + 174 champion = 183\n');
    expect(plan.stderr).toContain(
      'shadow (mirror 100%) needs 348 replicas (174 candidate + 174 champion), above max_replicas 300: promote would refuse this stage',
    );
    const before = p.read();
    const head = git(p.dir, 'rev-parse', 'HEAD');
    const r = await promote(p, 1, '--force', '--reason', 'test');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      'mlctl: fraud: shadow (mirror 100%) needs 348 replicas (174 candidate + 174 champion), above serving.fraud.capacity.max_replicas 300; raise max_replicas, or use a plan whose stages fit',
    );
    expect(p.read()).toBe(before);
    expect(git(p.dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(json((await runOk(['rollout', 'status', 'fraud', '--json'], { cwd: p.dir })).stdout).data).toEqual([]);
  });

  it('throughput as a registered metric: a version without it is refused, or sized with --assume-qps-per-replica (recorded)', async () => {
    const p = await gitopsProject({
      adapter: 'generic',
      config: config('generic', 'peak_qps: 6944, qps_per_replica: { metric: qps_per_replica }'),
    });
    writeModel(p.dir, 'm3', { 'model.bin': 'three' });
    writeModel(p.dir, 'm4', { 'model.bin': 'four' });
    await runOk(['register', 'fraud', 'm3', '--metrics', writeJson(p.dir, 'm3.json', { qps_per_replica: 100 })], {
      cwd: p.dir,
    });
    await runOk(['register', 'fraud', 'm4'], { cwd: p.dir });
    await runOk(['promote', 'fraud@3', '--yes'], { cwd: p.dir, env: at(0) });
    const refused = await run(['promote', 'fraud@4', '--force', '--reason', 'test'], { cwd: p.dir, env: at(1) });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe(
      'mlctl: fraud@4 was registered without the metric qps_per_replica (serving.fraud.capacity.qps_per_replica sizes each version with its own); register a version that reports it, or pass --assume-qps-per-replica N',
    );
    const r = await run(
      ['promote', 'fraud@4', '--force', '--reason', 'test', '--assume-qps-per-replica', '50', '--json'],
      {
        cwd: p.dir,
        env: at(1),
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(json(r.stdout).warnings).toContain(
      'fraud@4 has no registered throughput: sized with the assumed 50 QPS per replica (recorded)',
    );
    // Each side with its own throughput: 6,944 ÷ (50 × 0.5) → 278 for fraud@4, 6,944 ÷ (100 × 0.5) → 139 for fraud@3.
    expect(replicas('generic', p)).toEqual({ stable: 139, candidate: 278, previous: undefined });
    const events = json((await runOk(['audit', '--action', 'rollout.start', '--json'], { cwd: p.dir })).stdout).data
      .events;
    expect(events[0].payload.capacity).toMatchObject({
      qpsPerReplica: { candidate: 50, champion: 100 },
      assumed: [{ version: 4, qpsPerReplica: 50 }],
    });
  });
});
