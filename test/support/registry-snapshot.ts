import { appendEvent } from '../../src/core/audit/chain.js';
import type { Registry } from '../../src/ports/registry.js';
import { newVersion } from '../registry/contract.js';

const now = '2026-11-23T10:00:00.000Z';

/** Everything a registry answers, through the port only: two registries that say the same are the same. */
export async function snapshot(r: Registry) {
  const models = await r.listModels();
  const out: Record<string, unknown> = { models };
  for (const m of models) {
    const versions = await r.listVersions(m.name, {});
    out[m.name] = await Promise.all(
      versions.map(async (v) => ({
        v,
        artifacts: await r.artifacts(v.id),
        metrics: await r.metrics(v.id),
        tags: await r.tags(v.id),
        aliases: await r.aliasesOf(v.id),
        gateRuns: await r.gateRuns(v.id),
        children: (await r.children(v.id)).map((c) => c.id),
      })),
    );
    out[`${m.name}:rollouts`] = await r.rollouts({ model: m.name });
    out[`${m.name}:lastStep`] = await r.lastStep({ model: m.name });
    for (const ro of await r.rollouts({ model: m.name }))
      out[`rollout:${ro.id}:looks`] = await r.compareLooks({ rolloutId: ro.id });
  }
  out.events = await r.events({});
  return out;
}

/** A registry with a bit of every table: a parent, an alias, a gate run, a rollout, a step, awkward text. */
export async function seed(r: Registry): Promise<void> {
  const v1 = await r.write(() => r.insertVersion(newVersion('fraud')));
  const v2 = await r.write(() =>
    r.insertVersion(
      newVersion('fraud', 'c'.repeat(64), {
        parentId: v1.id,
        code: { commit: '1234', branch: null, dirty: true, remote: null },
      }),
    ),
  );
  await r.write(() => r.insertVersion(newVersion('churn')));
  await r.write(async () => {
    await r.setAlias('fraud', 'champion', v1.id, now, 't');
    await r.setStatus(v1.id, 'production', now);
    await appendEvent(r, {
      at: now,
      actor: 'a "q" ✓',
      action: 'champion.set',
      model: 'fraud',
      subject: 'fraud@1',
      payload: { version: 1, n: 1e-9 },
    });
  });
  const g = await r.write(() =>
    r.insertGateRun({
      candidateId: v2.id,
      baselineId: v1.id,
      candidateManifest: v2.manifestDigest,
      baselineManifest: v1.manifestDigest,
      policyDigest: 'sha256:p',
      datasetDigest: null,
      source: 'predictions',
      verdict: 'pass',
      report: { checks: [] },
      at: now,
      actor: 't',
    }),
  );
  await r.write(async () => {
    const ro = await r.insertRollout({
      key: 'a1b2c3d4e5f6',
      model: 'fraud',
      candidateId: v2.id,
      championId: v1.id,
      planName: 'standard',
      plan: [{ stage: 'full', minDurationMs: 0, checks: [], auto: false }],
      step: 0,
      state: 'active',
      stepStartedAt: now,
      candidateUri: 'x',
      championUri: null,
      gateRunId: g,
      adr: null,
      lastCommit: null,
      startedAt: now,
      startedBy: 't',
    });
    await appendEvent(r, {
      at: now,
      actor: 't',
      action: 'rollout.start',
      model: 'fraud',
      subject: 'fraud@2',
      payload: { rollout: ro.id },
    });
    await r.recordStep({
      id: ro.key,
      model: 'fraud',
      action: 'start',
      rollout: ro.key,
      stage: 'full',
      commit: 'f'.repeat(40),
      seq: (await r.lastEvent())!.seq,
      at: now,
      actor: 't',
      how: 'recorded',
    });
    await r.insertCompareLook({
      rolloutId: ro.id,
      step: 0,
      check: 'errors',
      at: now,
      actor: 't',
      candidate: { events: 20, trials: 10_000 },
      champion: { events: 190, trials: 95_000 },
      estimate: 0,
      radius: 0.001442804662081594,
      lower: -0.001442804662081594,
      upper: 0.001442804662081594,
      runLower: -0.001442804662081594,
      runUpper: 0.001442804662081594,
      counted: true,
      verdict: 'pass',
      better: 'lower',
      margin: 0.002,
      alpha: 0.05,
      tau: 0.002,
      minTrials: 1000,
    });
  });
}
