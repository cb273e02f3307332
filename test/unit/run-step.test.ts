import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tempDir } from '../support/helpers.js';
import { git, gitopsProject, type GitopsProject } from '../support/gitops-project.js';
import { withRolloutContext } from '../support/core-context.js';
import { runStep, type StepInput } from '../../src/core/rollout/step.js';
import { readStepJournal } from '../../src/core/rollout/step-journal.js';
import { appendEvent } from '../../src/core/audit/chain.js';
import { ConcurrentChangeError, ExitCode, PushRejectedError, type MlctlError } from '../../src/core/errors.js';
import { stepContext, type RolloutContext } from '../../src/core/rollout/context.js';
import { newStepId } from '../../src/core/rollout/step-identity.js';

const CONFIG = 'serving:\n  fraud: { adapter: istio, files: [deploy/fraud.yaml] }\n';

/** One step that points fraud's serving file at version 1; `record` writes an event, then does `then`. */
function input(
  ctx: RolloutContext,
  o: { verify?: () => void; then?: (commit: string | null) => void },
): StepInput<void> {
  return {
    scope: 'model:fraud',
    verify: () => o.verify?.(),
    serving: {
      model: 'fraud',
      spec: ctx.rollout.serving.fraud!,
      target: { model: 'fraud', champion: { version: 1, uri: 'file:///models/fraud/1/' } },
    },
    adr: async () => {},
    message: 'mlctl: test step',
    step: { id: newStepId(), model: 'fraud', action: 'promote', version: 1, stage: 'full', rollout: null },
    record: async (commit) => {
      await appendEvent(ctx.registry, {
        at: '2026-11-23T10:00:00Z',
        actor: 't',
        action: 'rollout.stage',
        model: 'fraud',
        subject: 'fraud@1',
        payload: { commit },
      });
      o.then?.(commit);
    },
  };
}

/** The step's outcome: its error (message and exit code) and what it left: HEAD, the file, the events. */
async function attempt(p: GitopsProject, push: boolean, o: Parameters<typeof input>[1]) {
  return withRolloutContext(p.dir, async (ctx) => {
    const before = (await ctx.registry.events({})).length;
    let error: { message: string; exit: number; type: string } | null = null;
    try {
      await runStep({ ...stepContext(ctx), git: { ...ctx.step.git, push } }, input(ctx, o));
    } catch (err) {
      const e = err as MlctlError;
      error = { message: e.message, exit: e.exitCode, type: e.constructor.name };
    }
    return { error, events: (await ctx.registry.events({})).length - before };
  });
}

const fail = (message: string) => () => {
  throw new Error(message);
};

describe('runStep: one step, all or nothing', () => {
  it('a re-check that fails under the lock writes nothing', async () => {
    const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
    const head = git(p.dir, 'rev-parse', 'HEAD');
    const file = p.read();
    const r = await attempt(p, false, {
      verify: () => {
        throw new ConcurrentChangeError('the champion moved', 'champion');
      },
    });
    expect(r).toEqual({
      error: { message: 'the champion moved', exit: ExitCode.storage, type: 'ConcurrentChangeError' },
      events: 0,
    });
    expect({ head: git(p.dir, 'rev-parse', 'HEAD'), file: p.read() }).toEqual({ head, file });
  });

  it('a failure after the commit: the commit undone, the files restored, the registry rolled back', async () => {
    const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
    const head = git(p.dir, 'rev-parse', 'HEAD');
    const file = p.read();
    const r = await attempt(p, false, { then: fail('disk full') });
    expect(r.error?.message).toBe('disk full');
    expect(r.events).toBe(0);
    expect(readStepJournal(p.dir, 'fraud')).toBeNull();
    expect({ head: git(p.dir, 'rev-parse', 'HEAD'), file: p.read() }).toEqual({ head, file });
    expect(git(p.dir, 'status', '--porcelain')).toBe('');
  });

  it('a rejected push: PushRejectedError (exit 3), nothing changed', async () => {
    const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
    const other = join(tempDir('mlctl-other-'), 'clone');
    git(p.dir, 'clone', '-q', p.remote, other);
    writeFileSync(join(other, 'README.md'), 'someone else\n');
    git(other, 'add', '.');
    git(other, '-c', 'user.email=o@x', '-c', 'user.name=o', 'commit', '-qm', 'other');
    git(other, 'push', '-q', 'origin', 'main');
    const head = git(p.dir, 'rev-parse', 'HEAD');
    const file = p.read();
    const r = await attempt(p, true, {});
    expect(r.error).toMatchObject({ exit: ExitCode.storage, type: PushRejectedError.name });
    expect(r.error?.message).toMatch(/^git push to origin was rejected .*nothing changed/);
    expect(r.events).toBe(0);
    expect({ head: git(p.dir, 'rev-parse', 'HEAD'), file: p.read() }).toEqual({ head, file });
  });

  it('a remote that cannot be reached is "could not reach", not "rejected" (11.18); nothing changed', async () => {
    const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
    // A port nobody listens on: taken from the system, then closed again.
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.address() as AddressInfo).port;
    await new Promise((done) => server.close(done));
    git(p.dir, 'remote', 'set-url', 'origin', `http://127.0.0.1:${port}/repo.git`);
    const head = git(p.dir, 'rev-parse', 'HEAD');
    const file = p.read();
    const r = await attempt(p, true, {});
    expect(r.error).toMatchObject({ exit: ExitCode.storage, type: 'StorageError' });
    expect(r.error?.message).toMatch(
      new RegExp(
        `^could not reach the git remote origin \\(fatal: unable to access 'http://127\\.0\\.0\\.1:${port}/repo\\.git/': .*\\); nothing changed: the local commit was undone and the registry is untouched — check its URL \\(git remote -v\\) and the network, then run the command again$`,
      ),
    );
    expect(r.events).toBe(0);
    expect({ head: git(p.dir, 'rev-parse', 'HEAD'), file: p.read() }).toEqual({ head, file });
  });

  it('a failure after the push: the pushed commit and its files stay, and the error says they disagree', async () => {
    const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
    const file = p.read();
    let committed: string | null = null;
    const r = await attempt(p, true, {
      then: (commit) => {
        committed = commit;
        throw new Error('disk full');
      },
    });
    expect(r.error?.exit).toBe(ExitCode.storage);
    expect(r.error?.message).toMatch(/^pushed [0-9a-f]{10} but could not record it in the registry \(disk full\)/);
    expect(r.events).toBe(0);
    expect(git(p.dir, 'rev-parse', 'HEAD')).toBe(committed);
    expect(git(p.remote, 'rev-parse', 'main')).toBe(committed);
    expect(p.read()).not.toBe(file);
    // The journal stays, so the next command can adopt the pushed commit (ADR 26).
    expect(readStepJournal(p.dir, 'fraud')).toMatchObject({ phase: 'pushed', commit: committed });
  });

  it('a commit that can no longer be undone (HEAD moved): both failures are named', async () => {
    const p = await gitopsProject({ adapter: 'istio', config: CONFIG });
    const r = await attempt(p, false, {
      then: () => {
        git(p.dir, 'commit', '-q', '--allow-empty', '-m', 'someone committed meanwhile');
        throw new Error('disk full');
      },
    });
    expect(r.error?.exit).toBe(ExitCode.storage);
    expect(r.error?.message).toMatch(/^disk full; and the commit [0-9a-f]{10} could not be undone: /);
    expect(r.events).toBe(0);
  });
});
