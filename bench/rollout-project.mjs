// A GitOps project mid-way to a staged rollout, shared by the rollout and start-up benchmarks: an
// Istio serving file of 50 documents, models fraud@1 (champion) and fraud@2, and a plan of `stages`
// stages already started, so each `mlctl promote fraud@2 --yes` is one stage change.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, timed } from './lib.mjs';

export function git(cwd, ...args) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The shipped Istio template plus 48 unrelated documents (Services, ConfigMaps), as a big GitOps file would have. */
function servingFile() {
  const base = readFileSync(join(ROOT, 'templates/serving/istio.yaml'), 'utf8');
  const extra = Array.from({ length: 48 }, (_, i) =>
    i % 2
      ? `---\n# feature service ${i}\napiVersion: v1\nkind: Service\nmetadata:\n  name: features-${i}\n  namespace: models\n  labels: { app: features-${i}, team: risk }\nspec:\n  selector: { app: features-${i} }\n  ports:\n    - { name: http, port: 80, targetPort: 8080 }\n`
      : `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: thresholds-${i}\n  namespace: models\ndata:\n  threshold: "0.${i}"\n  rules: |\n    amount > 1000 -> review\n    country not in [US, DE] -> review\n`,
  ).join('');
  return `${base}${extra}`;
}

/** Sets the project up in the empty folder `dir`; resolves with the env the CLI runs with and the start's timing. */
export async function rolloutProject(dir, stages) {
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'bench@example.com');
  git(dir, 'config', 'user.name', 'bench');
  const env = { MLCTL_ACTOR: 'bench@example.com' };
  await timed(process.execPath, [BIN, 'init', '--yes'], { cwd: dir, env });
  mkdirSync(join(dir, 'deploy'));
  writeFileSync(join(dir, 'deploy/fraud.yaml'), servingFile());
  const plan = [
    { stage: 'canary', weight: 1 },
    ...Array.from({ length: stages - 2 }, (_, i) => ({ stage: 'ramp', weight: i + 2 })),
    { stage: 'full' },
  ];
  writeFileSync(
    join(dir, 'mlctl.yaml'),
    `${readFileSync(join(dir, 'mlctl.yaml'), 'utf8')}\nserving:\n  fraud: { adapter: istio, files: [deploy/fraud.yaml], plan: many }\nrollout:\n  plans:\n    many:\n${plan.map((s) => `      - ${JSON.stringify(s)}\n`).join('')}`,
  );
  for (const v of ['1', '2']) {
    mkdirSync(join(dir, `m${v}`));
    writeFileSync(join(dir, `m${v}/model.bin`), `weights ${v}`);
  }
  writeFileSync(join(dir, '.gitignore'), '.mlctl/\nm1/\nm2/\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'init');
  for (const m of ['m1', 'm2']) await timed(process.execPath, [BIN, 'register', 'fraud', m], { cwd: dir, env });
  await timed(process.execPath, [BIN, 'promote', 'fraud@1', '--yes'], { cwd: dir, env });
  const start = await timed(process.execPath, [BIN, 'promote', 'fraud@2', '--force', '--reason', 'bench'], {
    cwd: dir,
    env,
  });
  return { env, start, docs: readFileSync(join(dir, 'deploy/fraud.yaml'), 'utf8').split(/^---$/m).length };
}
