import { describe, expect, it } from 'vitest';
import { appendEvent, envelopeText, eventHash, GENESIS_HASH } from '../../src/core/audit/chain.js';
import { canonicalJson } from '../../src/core/canonical-json.js';
import { verifyChain } from '../../src/core/audit/verify.js';
import type { NewVersion, Registry, RolloutInput } from '../../src/ports/registry.js';

/**
 * The behaviour every Registry backend must have (SQLite file, shared SQLite on S3, PostgreSQL):
 * the same suite runs against each. `open()` gives a fresh, empty registry; `tamper` runs raw SQL
 * as an administrator where a test needs to break the rules on purpose.
 */
export interface Backend {
  name: string;
  open(): Promise<Registry>;
  /** Try to UPDATE/DELETE an event row directly; resolves to the error message (absent: not reachable). */
  tamperEvents?(r: Registry, sql: 'update' | 'delete'): Promise<string>;
}

const now = '2026-11-23T10:00:00.000Z';

export function newVersion(model: string, sha = 'a'.repeat(64), extra: Partial<NewVersion> = {}): NewVersion {
  return {
    model,
    status: 'registered',
    manifestDigest: `sha256:${sha}`,
    artifacts: [
      { path: 'm.bin', size: 3, sha256: sha },
      { path: 'B/config.json', size: 5_000_000_000, sha256: 'b'.repeat(64) },
    ],
    metrics: [
      { name: 'auc', value: 0.9, slice: null },
      { name: 'auc', value: 0.8, slice: 'country=US' },
    ],
    dataset: { digest: `sha256:${'d'.repeat(64)}`, name: 'holdout' },
    dataHash: `sha256:${'e'.repeat(64)}`,
    code: { commit: 'abc123', branch: 'main', dirty: false, remote: 'https://example.com/r.git' },
    config: { lr: 0.1, layers: [1, 2] },
    featureSchema: { inputs: [{ name: 'x', type: 'double', required: true }] },
    requirements: 'numpy==2.0\n',
    parentId: null,
    tags: { team: 'risk', 'cost-center': '42' },
    description: 'first',
    createdAt: now,
    createdBy: 't@example.com',
    ...extra,
  };
}

let keys = 0;
export function rolloutInput(model: string, candidateId: number, championId: number | null): RolloutInput {
  return {
    key: `k${++keys}`,
    model,
    candidateId,
    championId,
    planName: 'standard',
    plan: [
      { stage: 'canary', weight: 5, minDurationMs: 1000, checks: [], auto: false },
      { stage: 'full', minDurationMs: 0, checks: [], auto: false },
    ],
    step: 0,
    state: 'active',
    stepStartedAt: now,
    candidateUri: 's3://b/models/m/2',
    championUri: 's3://b/models/m/1',
    gateRunId: null,
    adr: '0002-x.md',
    lastCommit: 'c0ffee',
    startedAt: now,
    startedBy: 't',
  };
}

export function registryContract(b: Backend): void {
  describe(`Registry contract: ${b.name}`, () => {
    it('numbers versions per model from 1, never inside a rolled-back write, and reads them back whole', async () => {
      const r = await b.open();
      try {
        const v1 = await r.write(() => r.insertVersion(newVersion('a')));
        await expect(
          r.write(async () => {
            await r.insertVersion(newVersion('a', 'c'.repeat(64)));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        await r.write(() => r.insertVersion(newVersion('a', 'f'.repeat(64), { parentId: v1.id, code: null })));
        await r.write(() => r.insertVersion(newVersion('b')));
        expect(await r.versionNumbers('a')).toEqual([1, 2]);
        expect(await r.versionNumbers('b')).toEqual([1]);
        expect(await r.versionNumbers('nope')).toEqual([]);
        const got = (await r.getVersion('a', 1))!;
        expect(got).toMatchObject({
          model: 'a',
          version: 1,
          status: 'registered',
          manifestDigest: `sha256:${'a'.repeat(64)}`,
          fileCount: 2,
          totalSize: 5_000_000_003,
          dataHash: `sha256:${'e'.repeat(64)}`,
          code: { commit: 'abc123', branch: 'main', dirty: false, remote: 'https://example.com/r.git' },
          config: { lr: 0.1, layers: [1, 2] },
          featureSchema: { inputs: [{ name: 'x', type: 'double', required: true }] },
          requirements: 'numpy==2.0\n',
          parent: null,
          description: 'first',
          createdAt: now,
          createdBy: 't@example.com',
          statusChangedAt: null,
        });
        expect(await r.getVersionById(got.id)).toEqual(got);
        const v2 = (await r.getVersion('a', 2))!;
        expect(v2.parent).toEqual({ model: 'a', version: 1 });
        expect(v2.code).toEqual({ commit: null, branch: null, dirty: null, remote: null });
        expect(await r.artifacts(got.id)).toEqual([
          { path: 'B/config.json', size: 5_000_000_000, sha256: 'b'.repeat(64) },
          { path: 'm.bin', size: 3, sha256: 'a'.repeat(64) },
        ]);
        expect(await r.metrics(got.id)).toEqual([
          { name: 'auc', value: 0.9, slice: null, datasetDigest: `sha256:${'d'.repeat(64)}`, datasetName: 'holdout' },
          {
            name: 'auc',
            value: 0.8,
            slice: 'country=US',
            datasetDigest: `sha256:${'d'.repeat(64)}`,
            datasetName: 'holdout',
          },
        ]);
        expect(await r.tags(got.id)).toEqual({ 'cost-center': '42', team: 'risk' });
        expect(await r.getVersion('a', 3)).toBeUndefined();
        expect(await r.getVersionById(999_999)).toBeUndefined();
        expect((await r.children(got.id)).map((v) => v.version)).toEqual([2]);
        expect((await r.versionsByData(`sha256:${'e'.repeat(64)}`)).map((v) => `${v.model}@${v.version}`)).toEqual([
          'a@1',
          'a@2',
          'b@1',
        ]);
      } finally {
        await r.close();
      }
    });

    it('finds duplicates by manifest and code commit (null commits included) for idempotent retries', async () => {
      const r = await b.open();
      try {
        await r.write(() => r.insertVersion(newVersion('a')));
        await r.write(() => r.insertVersion(newVersion('a', 'c'.repeat(64), { code: null })));
        expect((await r.findDuplicate('a', `sha256:${'a'.repeat(64)}`, 'abc123'))?.version).toBe(1);
        expect(await r.findDuplicate('a', `sha256:${'a'.repeat(64)}`, 'other')).toBeUndefined();
        expect((await r.findDuplicate('a', `sha256:${'c'.repeat(64)}`, null))?.version).toBe(2);
        expect(await r.findDuplicate('b', `sha256:${'a'.repeat(64)}`, 'abc123')).toBeUndefined();
      } finally {
        await r.close();
      }
    });

    it('lists models with counts and champions, and versions newest first with filters', async () => {
      const r = await b.open();
      try {
        const a1 = await r.write(() => r.insertVersion(newVersion('zeta')));
        await r.write(() => r.insertVersion(newVersion('zeta', 'c'.repeat(64), { tags: { team: 'fraud' } })));
        await r.write(() => r.insertVersion(newVersion('Alpha'.toLowerCase())));
        await r.write(async () => {
          await r.setStatus(a1.id, 'production', now);
          await r.setAlias('zeta', 'champion', a1.id, now, 't');
        });
        const models = await r.listModels();
        expect(models.map((m) => m.name)).toEqual(['alpha', 'zeta']);
        expect(models[1]).toMatchObject({
          versions: 2,
          latest: 2,
          champion: 1,
          byStatus: { production: 1, registered: 1 },
        });
        expect((await r.listVersions('zeta', {})).map((v) => v.version)).toEqual([2, 1]);
        expect((await r.listVersions('zeta', { status: 'production' })).map((v) => v.version)).toEqual([1]);
        expect((await r.listVersions('zeta', { tag: { key: 'team', value: 'fraud' } })).map((v) => v.version)).toEqual([
          2,
        ]);
        expect((await r.listVersions('zeta', { limit: 1 })).map((v) => v.version)).toEqual([2]);
        expect((await r.latestVersion('zeta'))?.version).toBe(2);
        expect((await r.getVersion('zeta', 1))?.statusChangedAt).toBe(now);
        expect(await r.findModel('zeta')).toMatchObject({ name: 'zeta' });
        expect(await r.findModel('nope')).toBeUndefined();
      } finally {
        await r.close();
      }
    });

    it('moves, lists and removes aliases; tags are upserted', async () => {
      const r = await b.open();
      try {
        const v1 = await r.write(() => r.insertVersion(newVersion('m')));
        const v2 = await r.write(() => r.insertVersion(newVersion('m', 'c'.repeat(64))));
        expect(await r.write(() => r.setAlias('m', 'champion', v1.id, now, 't'))).toEqual({ previous: null });
        expect(await r.write(() => r.setAlias('m', 'staging', v2.id, now, 't'))).toEqual({ previous: null });
        expect(await r.write(() => r.setAlias('m', 'champion', v2.id, now, 't'))).toEqual({ previous: 1 });
        expect(await r.aliases('m')).toEqual([
          { alias: 'champion', version: 2 },
          { alias: 'staging', version: 2 },
        ]);
        expect(await r.aliasesOf(v2.id)).toEqual(['champion', 'staging']);
        expect(await r.resolveAlias('m', 'champion')).toBe(2);
        expect(await r.write(() => r.removeAlias('m', 'staging'))).toEqual({ previous: 2 });
        expect(await r.resolveAlias('m', 'staging')).toBeUndefined();
        await r.write(() => r.setTags(v1.id, { team: 'fraud', new: 'x' }));
        expect(await r.tags(v1.id)).toEqual({ 'cost-center': '42', new: 'x', team: 'fraud' });
        expect([...(await r.referencedDigests())].sort()).toEqual(['a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)]);
      } finally {
        await r.close();
      }
    });

    it('chains events, filters them, streams them in order, and verifies', async () => {
      const r = await b.open();
      try {
        const odd = [
          { at: now, actor: 'a "q" \\ é ✓', action: 'tag', model: null, subject: null, payload: { b: 1, a: ['x'] } },
          { at: now, actor: 'line\nbreak\ttab\u0001', action: 'register', model: 'm', subject: 'm@1', payload: null },
          {
            at: '2026-11-24T00:00:00.000Z',
            actor: 'u2',
            action: 'champion.set',
            model: 'm',
            subject: 'm@1',
            payload: { version: 1, note: 'ünïcødé 🚀', n: 1.5e-7 },
          },
        ];
        const recs: Awaited<ReturnType<typeof appendEvent>>[] = [];
        for (const e of odd) recs.push(await r.write(() => appendEvent(r, e)));
        expect(recs[0]!.prevHash).toBe(GENESIS_HASH);
        expect(recs[1]!.prevHash).toBe(recs[0]!.hash);
        expect(recs[2]!.hash).toBe(eventHash(recs[1]!.hash, { ...recs[2]! }));
        expect(await r.lastEvent()).toEqual({ seq: 3, hash: recs[2]!.hash, at: '2026-11-24T00:00:00.000Z' });
        expect((await r.events({ model: 'm' })).map((e) => e.seq)).toEqual([3, 2]);
        expect((await r.events({ action: 'champion.set' }))[0]!.payload).toEqual(odd[2]!.payload);
        expect((await r.events({ actor: 'u2' })).map((e) => e.seq)).toEqual([3]);
        expect((await r.events({ subject: 'm@1', limit: 1 })).map((e) => e.seq)).toEqual([3]);
        expect((await r.events({ since: '2026-11-24T00:00:00.000Z' })).map((e) => e.seq)).toEqual([3]);
        expect((await r.events({ until: '2026-11-24T00:00:00.000Z' })).map((e) => e.seq)).toEqual([2, 1]);
        const rows: Array<[number, string, string]> = [];
        for await (const batch of r.chainRows()) rows.push(...batch);
        rows.forEach(([seq, text, hash], i) => {
          expect(seq).toBe(i + 1);
          expect(text).toBe(envelopeText({ ...odd[i]!, seq }, canonicalJson(odd[i]!.payload)));
          expect(hash).toBe(recs[i]!.hash);
        });
        const raw = [];
        for await (const e of r.rawEvents()) raw.push(e.seq);
        expect(raw).toEqual([1, 2, 3]);
        expect((await r.rawEvent(2))?.actor).toBe(odd[1]!.actor);
        expect(await verifyChain(r)).toMatchObject({ ok: true, events: 3, head: recs[2]!.hash });
        // The store refuses edits and deletions of events.
        if (b.tamperEvents) {
          expect(await b.tamperEvents(r, 'update')).toMatch(/append-only/);
          expect(await b.tamperEvents(r, 'delete')).toMatch(/append-only/);
        }
      } finally {
        await r.close();
      }
    });

    it('records gate runs newest first', async () => {
      const r = await b.open();
      try {
        const v1 = await r.write(() => r.insertVersion(newVersion('m')));
        const v2 = await r.write(() => r.insertVersion(newVersion('m', 'c'.repeat(64))));
        const g = {
          candidateId: v2.id,
          baselineId: v1.id,
          candidateManifest: v2.manifestDigest,
          baselineManifest: v1.manifestDigest,
          policyDigest: 'sha256:p',
          datasetDigest: null,
          source: 'metrics' as const,
          verdict: 'fail' as const,
          report: { checks: [{ id: 'auc', verdict: 'fail' }] },
          at: now,
          actor: 't',
        };
        const id1 = await r.write(() => r.insertGateRun(g));
        const id2 = await r.write(() =>
          r.insertGateRun({ ...g, verdict: 'pass', baselineId: null, baselineManifest: null }),
        );
        const runs = await r.gateRuns(v2.id);
        expect(runs.map((x) => x.id)).toEqual([id2, id1]);
        expect(runs[1]).toEqual({ ...g, id: id1 });
        expect(await r.getGateRun(id1)).toEqual({ ...g, id: id1 });
        expect(await r.getGateRun(id2 + 1000)).toBeUndefined();
        expect(await r.gateRuns(v1.id)).toEqual([]);
      } finally {
        await r.close();
      }
    });

    it('keeps one open rollout per model and moves it only at the revision it was read at', async () => {
      const r = await b.open();
      try {
        const v1 = await r.write(() => r.insertVersion(newVersion('m')));
        const v2 = await r.write(() => r.insertVersion(newVersion('m', 'c'.repeat(64))));
        const ro = await r.write(() => r.insertRollout(rolloutInput('m', v2.id, v1.id)));
        expect(ro).toMatchObject({
          model: 'm',
          revision: 0,
          state: 'active',
          lastChecks: null,
          outcome: null,
          endedAt: null,
        });
        await expect(r.write(() => r.insertRollout(rolloutInput('m', v2.id, v1.id)))).rejects.toThrow(
          /already has a rollout in progress/,
        );
        expect((await r.openRollout('m'))?.id).toBe(ro.id);
        expect(await r.write(() => r.updateRollout(ro.id, 0, { step: 1, updatedAt: now }))).toBe(true);
        expect(await r.write(() => r.updateRollout(ro.id, 0, { step: 0, updatedAt: now }))).toBe(false);
        await r.write(() => r.setRolloutChecks(ro.id, { at: now, results: [{ name: 'x', status: 'pass' }] }, now));
        const after = (await r.getRollout(ro.id))!;
        expect(after).toMatchObject({
          step: 1,
          revision: 1,
          lastChecks: { at: now, results: [{ name: 'x', status: 'pass' }] },
          pending: null,
        });
        const pending = { kind: 'label', stage: 'full', since: now };
        expect(await r.write(() => r.updateRollout(ro.id, 1, { pending, updatedAt: now }))).toBe(true);
        expect((await r.getRollout(ro.id))!.pending).toEqual(pending);
        expect(await r.write(() => r.updateRollout(ro.id, 2, { pending: null, updatedAt: now }))).toBe(true);
        expect((await r.getRollout(ro.id))!.pending).toBeNull();
        expect(
          await r.write(() =>
            r.updateRollout(ro.id, 3, { state: 'completed', endedAt: now, outcome: 'completed', updatedAt: now }),
          ),
        ).toBe(true);
        expect(await r.openRollout('m')).toBeUndefined();
        const second = await r.write(() => r.insertRollout(rolloutInput('m', v2.id, v1.id)));
        expect((await r.rollouts({ model: 'm' })).map((x) => x.id)).toEqual([second.id, ro.id]);
        expect((await r.rollouts({ open: true })).map((x) => x.id)).toEqual([second.id]);
        expect((await r.rollouts({ model: 'm', limit: 1 })).map((x) => x.id)).toEqual([second.id]);
        expect(await r.getRollout(123_456)).toBeUndefined();
        expect((await r.getRollout(second.id))!.key).toBe(second.key);
        await expect(
          r.write(() => r.insertRollout({ ...rolloutInput('m', v2.id, v1.id), key: second.key, state: 'completed' })),
        ).rejects.toThrow();
      } finally {
        await r.close();
      }
    });

    it('records steps by id and finds the last one of a model or rollout (committed or not) in chain order', async () => {
      const r = await b.open();
      try {
        const step = (id: string, seq: number, commit: string | null, how: 'recorded' | 'adopted' = 'recorded') => ({
          id,
          model: 'm',
          action: 'advance' as const,
          rollout: 'k1',
          stage: 'canary-5',
          commit,
          seq,
          at: now,
          actor: 't',
          how,
        });
        expect(await r.lastStep({ model: 'm', committed: true })).toBeUndefined();
        await r.write(async () => {
          await r.recordStep(step('s1', 4, 'a'.repeat(40)));
          await r.recordStep(step('s2', 9, 'b'.repeat(40), 'adopted'));
          await r.recordStep(step('s3', 12, null));
          await r.recordStep({ ...step('s4', 15, 'c'.repeat(40)), model: 'other', rollout: null, action: 'promote' });
        });
        expect(await r.getStep('s2')).toEqual(step('s2', 9, 'b'.repeat(40), 'adopted'));
        expect(await r.getStep('nope')).toBeUndefined();
        // s3 made no commit (--no-commit); s4 is another model's.
        expect((await r.lastStep({ model: 'm', committed: true }))?.id).toBe('s2');
        expect((await r.lastStep({ model: 'm' }))?.id).toBe('s3');
        expect((await r.lastStep({ rollout: 'k1' }))?.id).toBe('s3');
        expect((await r.lastStep({ rollout: 'k2' }))?.id).toBeUndefined();
        expect((await r.lastStep({}))?.id).toBe('s4');
        await expect(r.write(() => r.recordStep(step('s1', 20, null)))).rejects.toThrow();
        // A rolled-back write records nothing.
        await expect(
          r.write(async () => {
            await r.recordStep(step('s5', 30, 'd'.repeat(40)));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await r.getStep('s5')).toBeUndefined();
      } finally {
        await r.close();
      }
    });

    it("stores every look of a compare check whole and lists a rollout's looks oldest first, by stage and check", async () => {
      const r = await b.open();
      try {
        const v1 = await r.write(() => r.insertVersion(newVersion('m')));
        const v2 = await r.write(() => r.insertVersion(newVersion('m', 'c'.repeat(64))));
        const ro = await r.write(() => r.insertRollout(rolloutInput('m', v2.id, v1.id)));
        const look = (step: number, check: string, counted: boolean) => ({
          rolloutId: ro.id,
          step,
          check,
          at: now,
          actor: 't',
          // Beyond 2^31: counts of a busy service over a long stage.
          candidate: { events: 12, trials: 3_000_000_000 },
          champion: { events: 0, trials: 1500 },
          estimate: counted ? -0.0012345678901234 : null,
          radius: counted ? 0.004 : null,
          lower: counted ? -0.0052345678901234 : null,
          upper: counted ? 0.0027654321098766 : null,
          runLower: counted ? -0.004 : null,
          runUpper: counted ? 0.001 : null,
          counted,
          verdict: counted ? ('pass' as const) : ('inconclusive' as const),
          better: 'higher' as const,
          margin: 0.002,
          alpha: 0.05,
          tau: 0.002,
          minTrials: 1000,
        });
        const ids = await r.write(async () => [
          await r.insertCompareLook(look(0, 'errors', false)),
          await r.insertCompareLook(look(0, 'errors', true)),
          await r.insertCompareLook(look(0, 'latency', true)),
          await r.insertCompareLook(look(1, 'errors', true)),
        ]);
        expect(new Set(ids).size).toBe(4);
        const all = await r.compareLooks({ rolloutId: ro.id });
        expect(all.map((l) => l.id)).toEqual(ids);
        expect(all[1]).toEqual({ id: ids[1], ...look(0, 'errors', true) });
        expect(all[0]).toEqual({ id: ids[0], ...look(0, 'errors', false) });
        expect((await r.compareLooks({ rolloutId: ro.id, step: 0, check: 'errors' })).map((l) => l.id)).toEqual(
          ids.slice(0, 2),
        );
        expect((await r.compareLooks({ rolloutId: ro.id, step: 1 })).map((l) => l.id)).toEqual([ids[3]]);
        expect(await r.compareLooks({ rolloutId: ro.id + 1000 })).toEqual([]);
        await expect(
          r.write(async () => {
            await r.insertCompareLook(look(2, 'errors', true));
            throw new Error('boom');
          }),
        ).rejects.toThrow('boom');
        expect(await r.compareLooks({ rolloutId: ro.id, step: 2 })).toEqual([]);
      } finally {
        await r.close();
      }
    });
  });
}
