import { relative } from 'node:path';
import type { LocalFile } from '../artifacts/collect.js';
import type { FeatureSchema } from '../inputs/feature-schema.js';
import { readMlmodel, schemaDifferences } from '../inputs/mlflow-model.js';

export interface MlflowSummary {
  flavors: string[];
  /** Where the version's feature schema came from. */
  schemaFrom: 'signature' | '--schema' | null;
}

/**
 * An MLflow model registered as a folder: `MLmodel` at the version's root. Its flavors and
 * signature go to the config under `mlflow` (shown by `show`, compared by `diff`); its
 * column-based signature is the feature schema unless --schema was given, which wins.
 */
export function withMlflowModel(
  files: LocalFile[],
  cwd: string,
  given: { schema: FeatureSchema | null; config: unknown },
): { schema: FeatureSchema | null; config: unknown; warnings: string[]; mlflow: MlflowSummary | null } {
  const mlmodel = files.find((f) => f.path === 'MLmodel');
  if (!mlmodel) return { ...given, warnings: [], mlflow: null };
  const label = relative(cwd, mlmodel.abs) || 'MLmodel';
  const m = readMlmodel(mlmodel.abs, label);
  const warnings = [...m.notes.map((n) => `${label}: ${n}`)];
  const schema = given.schema ?? m.schema;
  if (given.schema && m.schema) {
    const outputsToo = m.schema.outputs.length > 0;
    const diff = schemaDifferences(given.schema, m.schema, outputsToo);
    if (diff.length)
      warnings.push(
        `--schema and the signature in ${label} disagree (${diff.slice(0, 3).join('; ')}${diff.length > 3 ? `; ${diff.length - 3} more` : ''}); --schema is recorded`,
      );
  }
  let config = given.config;
  const user = (config ?? {}) as Record<string, unknown>;
  if ('mlflow' in user)
    warnings.push(
      `the --config file already has an "mlflow" key; the flavors and signature of ${label} are not recorded`,
    );
  else config = { ...user, mlflow: m.record };
  return {
    schema,
    config,
    warnings,
    mlflow: {
      flavors: Object.keys(m.record.flavors),
      schemaFrom: given.schema ? '--schema' : m.schema ? 'signature' : null,
    },
  };
}
