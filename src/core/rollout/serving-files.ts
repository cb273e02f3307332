import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { UsageError } from '../errors.js';
import { adapterFor } from '../serving/adapters.js';
import { parseServingFile, refuseForeignOwners, renderServingFile } from '../serving/yaml-docs.js';
import type { ServingDocs, TrafficTarget } from '../serving/types.js';
import type { ServingSpec } from './plan.js';

export interface ServingEdit {
  /** As written in mlctl.yaml (relative to the project root). */
  file: string;
  path: string;
  before: string;
  after: string;
}

/**
 * Load the model's serving files, let the adapter express `target`, validate the result, and return
 * the new texts (nothing is written here). Documents the adapter adds go to the first file.
 */
export function renderServing(root: string, model: string, spec: ServingSpec, target: TrafficTarget): ServingEdit[] {
  const adapter = adapterFor(spec.adapter);
  const loaded = spec.files.map((file) => {
    const path = isAbsolute(file) ? file : join(root, file);
    if (relative(root, path).startsWith('..')) throw new UsageError(`serving.${model}.files: ${file} is outside the project folder ${root}`);
    let before: string;
    try {
      before = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`serving.${model}.files: cannot read ${file} (${code ?? (err as Error).message}); create it from templates/serving/${spec.adapter}.yaml or fix the path`);
    }
    const docs = parseServingFile(before, file);
    refuseForeignOwners(docs, file);
    return { file, path, before, docs };
  });
  const owner = new Map<object, number>();
  loaded.forEach((l, i) => l.docs.forEach((d) => owner.set(d, i)));
  const all: ServingDocs = loaded.flatMap((l) => l.docs);
  const out = adapter.apply(all, target);
  const problems = adapter.check(out);
  if (problems.length) throw new UsageError(`serving.${model}: the ${spec.adapter} config for this step would be invalid: ${problems.join('; ')}`);
  const perFile: ServingDocs[] = loaded.map(() => []);
  for (const d of out) perFile[owner.get(d) ?? 0]!.push(d);
  return loaded.map((l, i) => ({ file: l.file, path: l.path, before: l.before, after: renderServingFile(perFile[i]!) }));
}
