import { UsageError } from '../errors.js';
import { FEATURE_TYPES, type FeatureField, type FeatureSchema, type FeatureType } from './feature-schema.js';
import { parseYamlDoc, readInputFile, type LocatedDoc } from './located-doc.js';

/**
 * An MLflow model folder's `MLmodel` file (what `mlflow.<flavor>.save_model` writes): its flavors,
 * and its signature, whose column-based sides are the feature schema. Signature sides are JSON
 * strings inside the YAML: `'[{"type": "double", "name": "age", "required": true}, …]'` for
 * columns, `'[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]'` for tensors.
 */

const MAX_BYTES = 1 << 20;

/** What the version's config records under `mlflow`: the file's facts, signature sides as parsed JSON. */
export interface MlflowRecord {
  flavors: Record<string, unknown>;
  mlflow_version: string | null;
  model_uuid: string | null;
  run_id: string | null;
  utc_time_created: string | null;
  signature: { inputs: unknown; outputs: unknown; params: unknown } | null;
}

export interface MlflowModel {
  record: MlflowRecord;
  /** The feature schema from a column-based input signature; null when there is none usable. */
  schema: FeatureSchema | null;
  /** Why the signature gave no (or a partial) schema. */
  notes: string[];
}

type Side = 'inputs' | 'outputs';

const text = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

function parseSide(doc: LocatedDoc, sig: Record<string, unknown>, side: Side | 'params'): unknown {
  const raw = sig[side];
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string') return raw; // already structured (hand-written files)
  try {
    return JSON.parse(raw);
  } catch {
    const line = doc.lineOf(['signature', side]);
    throw new UsageError(
      `${doc.label}: signature.${side} is not valid JSON${line ? ` (line ${line})` : ''}; it is written by mlflow as a JSON string`,
    );
  }
}

/** Column specs → schema fields; a reason instead when a column cannot be expressed. */
function columnsToFields(specs: unknown[], side: Side): FeatureField[] | string {
  const fields: FeatureField[] = [];
  for (const [i, s] of specs.entries()) {
    if (!s || typeof s !== 'object') return `${side}[${i}] is not a column spec`;
    const spec = s as { type?: unknown; name?: unknown; required?: unknown; optional?: unknown };
    if (typeof spec.name !== 'string' || !spec.name) return `${side}[${i}] has no name`;
    if (!FEATURE_TYPES.includes(spec.type as FeatureType))
      return `${side} column ${JSON.stringify(spec.name)} has type ${JSON.stringify(spec.type)}, which mlctl schemas cannot express`;
    // MLflow ≥ 2.10 writes "required" (default true); older versions wrote "optional".
    const required = typeof spec.required === 'boolean' ? spec.required : spec.optional !== true;
    fields.push({ name: spec.name, type: spec.type as FeatureType, required });
  }
  return fields;
}

const isTensor = (specs: unknown[]) =>
  specs.some((s) => !!s && typeof s === 'object' && (s as { type?: unknown }).type === 'tensor');

export function parseMlmodel(content: string, label: string): MlflowModel {
  // An MLmodel is MLflow's file, read for a few fields: its other values are not mlctl's to judge.
  const doc = parseYamlDoc(content, label, { nonFinite: 'allow' });
  const v = doc.value;
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new UsageError(`${label}: expected the YAML mapping mlflow writes (flavors, signature, …)`);
  const m = v as Record<string, unknown>;
  const flavors = m.flavors;
  if (!flavors || typeof flavors !== 'object' || Array.isArray(flavors) || Object.keys(flavors).length === 0) {
    const line = doc.lineOf(['flavors']);
    throw new UsageError(
      `${label}: flavors must map each flavor name (python_function, sklearn, …) to its settings${line ? ` (line ${line})` : ''}`,
    );
  }
  let signature: MlflowRecord['signature'] = null;
  const notes: string[] = [];
  let schema: FeatureSchema | null = null;
  if (m.signature !== undefined && m.signature !== null) {
    if (typeof m.signature !== 'object' || Array.isArray(m.signature))
      throw new UsageError(`${label}: signature must be a mapping with inputs and outputs`);
    const sig = m.signature as Record<string, unknown>;
    signature = {
      inputs: parseSide(doc, sig, 'inputs'),
      outputs: parseSide(doc, sig, 'outputs'),
      params: parseSide(doc, sig, 'params'),
    };
    const sides: Partial<Record<Side, FeatureField[]>> = {};
    for (const side of ['inputs', 'outputs'] as const) {
      const specs = signature[side];
      if (specs === null) continue;
      if (!Array.isArray(specs)) throw new UsageError(`${label}: signature.${side} must be a JSON list of specs`);
      if (isTensor(specs)) {
        notes.push(`the MLmodel signature's ${side} are tensors; they are recorded as such, not as schema fields`);
        continue;
      }
      const f = columnsToFields(specs, side);
      if (typeof f === 'string') notes.push(`the MLmodel signature gives no feature schema: ${f}`);
      else sides[side] = f;
    }
    if (sides.inputs) schema = { inputs: sides.inputs, outputs: sides.outputs ?? [] };
  }
  return {
    record: {
      flavors: flavors as Record<string, unknown>,
      mlflow_version: text(m.mlflow_version),
      model_uuid: text(m.model_uuid),
      run_id: text(m.run_id),
      utc_time_created: text(m.utc_time_created),
      signature,
    },
    schema,
    notes,
  };
}

export function readMlmodel(file: string, label: string): MlflowModel {
  const content = readInputFile(file, label);
  if (content.length > MAX_BYTES) throw new UsageError(`${label}: larger than 1 MiB; is this really an MLmodel file?`);
  return parseMlmodel(content, label);
}

/** Differences between two schemas, for a warning ("input age: long here, integer there"). */
export function schemaDifferences(given: FeatureSchema, fromModel: FeatureSchema, withOutputs: boolean): string[] {
  const out: string[] = [];
  const sides: Side[] = withOutputs ? ['inputs', 'outputs'] : ['inputs'];
  for (const side of sides) {
    const a = new Map(given[side].map((f) => [f.name, f]));
    const b = new Map(fromModel[side].map((f) => [f.name, f]));
    const one = side === 'inputs' ? 'input' : 'output';
    for (const [name, f] of a) {
      const g = b.get(name);
      if (!g) out.push(`${one} ${name} is not in the signature`);
      else if (f.type !== g.type) out.push(`${one} ${name} is ${f.type} in --schema, ${g.type} in the signature`);
      else if (!!f.required !== !!g.required)
        out.push(`${one} ${name} is ${f.required ? 'required' : 'optional'} in --schema, not in the signature`);
    }
    for (const name of b.keys()) if (!a.has(name)) out.push(`${one} ${name} is only in the signature`);
  }
  return out;
}
