import { UsageError } from '../errors.js';
import { applyEdits, cloneField, insertFields, removeField, replace, type Edit, type Out } from './textproto/edit.js';
import { encodeString } from './textproto/literals.js';
import { parseTextProto, type TpDocument, type TpField, type TpMessage, type TpScalar } from './textproto/parse.js';
import { failAt, messageOf, only, stringOf, versionOf } from './textproto/query.js';
import { planLabels, twoPushViolations, wantedLabels, type LabelState } from './two-push.js';
import { basePathOf, readPolicy, versionsToLoad, writePolicy, type VersionPolicy } from './version-policy.js';
import type { TextProtoAdapter, TextProtoOptions, TextProtoResult, TrafficTarget } from './types.js';

/**
 * TensorFlow Serving's model config file (ModelServerConfig in text format):
 *   model_config_list {
 *     config {
 *       name: "fraud"
 *       base_path: "s3://ml-artifacts/team/models/fraud"
 *       model_platform: "tensorflow"
 *       model_version_policy { specific { versions: 3 versions: 4 } }
 *       version_labels { key: "stable" value: 3 }
 *       version_labels { key: "canary" value: 4 }
 *     }
 *     config { … other models, never touched … }
 *   }
 */

interface Label {
  field: TpField;
  key: string;
  keyScalar: TpScalar;
  valueScalar: TpScalar;
  version: number;
}

interface ModelEntry extends LabelState {
  entry: TpMessage;
  policy: VersionPolicy;
  labelEntries: Label[];
}

const POLICY = 'model_version_policy';
const EXAMPLE = 'tfserving.models.config';

/**
 * Find and check the model's own config entry: present once, and (`checkLabels`: the input and the
 * output, not the passes in between) labels only on loaded versions.
 */
function readModel(doc: TpDocument, model: string, checkLabels = true): ModelEntry {
  const list = only(doc, doc.root, 'model_config_list');
  if (!list) {
    const custom = only(doc, doc.root, 'custom_model_config');
    throw failAt(
      doc,
      custom ?? 0,
      custom
        ? 'custom_model_config: mlctl edits only model_config_list { config { … } }'
        : `expected model_config_list { config { name: "${model}" … } } (see templates/serving/${EXAMPLE})`,
    );
  }
  const configs = messageOf(doc, list)
    .fields.filter((f) => f.name === 'config')
    .flatMap((f) => (f.value.kind === 'list' ? f.value.items : [f.value]))
    .map((v) => {
      if (v.kind !== 'message') throw failAt(doc, v, 'config: expected { … }');
      const name = only(doc, v, 'name');
      return { msg: v, name: name ? stringOf(doc, name) : '' };
    })
    .filter((c) => c.name === model);
  if (configs.length === 0)
    throw failAt(doc, list, `model_config_list has no config with name: "${model}"; add the model's entry to the file`);
  if (configs.length > 1) throw failAt(doc, configs[1]!.msg, `a second config is named "${model}"; keep one`);
  const entry = configs[0]!.msg;
  const policy = readPolicy(doc, entry, POLICY);
  const labelEntries = entry.fields.filter((f) => f.name === 'version_labels').map((f) => readLabel(doc, f));
  const labels = new Map<string, number>();
  for (const l of labelEntries) {
    if (labels.has(l.key)) throw failAt(doc, l.field, `version_labels: label "${l.key}" is given twice; keep one`);
    labels.set(l.key, l.version);
    if (checkLabels && policy.loaded && !policy.loaded.includes(l.version))
      throw failAt(
        doc,
        l.valueScalar,
        `version_labels "${l.key}": version ${l.version} is not loaded (${POLICY} specific versions: ${policy.loaded.join(', ') || 'none'}); TF Serving refuses the file — load the version or fix the label`,
      );
  }
  return { entry, policy, labelEntries, loaded: policy.loaded, labels };
}

function readLabel(doc: TpDocument, f: TpField): Label {
  if (f.value.kind !== 'message')
    throw failAt(doc, f.value, 'version_labels: write each label as its own version_labels { key: "…" value: N }');
  const key = only(doc, f.value, 'key');
  const value = only(doc, f.value, 'value');
  if (!key || key.value.kind !== 'scalar') throw failAt(doc, f, 'version_labels: needs key: "<label>"');
  if (!value || value.value.kind !== 'scalar') throw failAt(doc, f, 'version_labels: needs value: <version>');
  return {
    field: f,
    key: stringOf(doc, key),
    keyScalar: key.value,
    valueScalar: value.value,
    version: versionOf(doc, value.value, `version_labels "${stringOf(doc, key)}"`),
  };
}

/** What the file loads and labels for `model` (validated as an input file is): for status and tests. */
export function readTfServingState(text: string, file: string, model: string): LabelState {
  const { loaded, labels } = readModel(parseTextProto(text, file), model);
  return { loaded, labels };
}

const quoteOf = (doc: TpDocument, s: TpScalar): '"' | "'" => (doc.text[s.start] === "'" ? "'" : '"');

function setBasePath(doc: TpDocument, m: ModelEntry, basePath: string): Edit[] {
  const f = only(doc, m.entry, 'base_path');
  if (!f)
    return [
      insertFields(
        doc,
        m.entry,
        [{ name: 'base_path', scalar: encodeString(basePath) }],
        only(doc, m.entry, 'name') ?? undefined,
      ),
    ];
  if (stringOf(doc, f) === basePath) return [];
  return [replace(f.value, encodeString(basePath, quoteOf(doc, f.value as TpScalar)))];
}

/** Labels as `next` says: values changed in place, new ones written like the existing ones, others removed. */
function setLabels(doc: TpDocument, m: ModelEntry, next: Map<string, number>): Edit[] {
  const edits: Edit[] = [];
  for (const l of m.labelEntries) {
    const v = next.get(l.key);
    if (v === undefined) edits.push(removeField(doc, l.field));
    else if (v !== l.version) edits.push(replace(l.valueScalar, String(v)));
  }
  const added = [...next].filter(([label]) => !m.labels.has(label));
  if (added.length === 0) return edits;
  const model = m.labelEntries[0];
  const items: Out[] = added.map(([label, v]) =>
    model
      ? {
          raw: cloneField(doc, model.field, [
            replace(model.keyScalar, encodeString(label, quoteOf(doc, model.keyScalar))),
            replace(model.valueScalar, String(v)),
          ]),
        }
      : {
          name: 'version_labels',
          fields: [
            { name: 'key', scalar: encodeString(label) },
            { name: 'value', scalar: String(v) },
          ],
        },
  );
  const kept = m.labelEntries.filter((l) => next.has(l.key)).pop();
  edits.push(insertFields(doc, m.entry, items, kept?.field ?? only(doc, m.entry, POLICY) ?? undefined));
  return edits;
}

/** One edit pass on the freshly parsed text: each pass sees the positions the previous one produced. */
function pass(text: string, file: string, model: string, edits: (doc: TpDocument, m: ModelEntry) => Edit[]): string {
  const doc = parseTextProto(text, file);
  return applyEdits(text, edits(doc, readModel(doc, model, false)));
}

const list = (v: number[] | null) => (v === null ? 'by its policy' : v.length ? v.join(', ') : 'nothing');

export const tfservingAdapter: TextProtoAdapter = {
  format: 'textproto',
  name: 'tfserving',
  supportsShadow: false,
  example: EXAMPLE,
  apply(text: string, file: string, t: TrafficTarget, o: TextProtoOptions): TextProtoResult {
    const basePath = basePathOf(t.champion, t.model);
    if (t.candidate && basePathOf(t.candidate, t.model) !== basePath)
      throw new UsageError(
        `serving.${t.model}: versions ${t.champion.version} and ${t.candidate.version} are materialized under different folders (${t.champion.uri}, ${t.candidate.uri}); TF Serving loads every version of a model from one base_path — materialize both under the same artifacts store`,
      );
    const before = readModel(parseTextProto(text, file), t.model);
    const plan = planLabels(before, { loaded: versionsToLoad(t), labels: wantedLabels(t) }, o.allowUnavailableLabels);
    let out = pass(text, file, t.model, (doc, m) => setBasePath(doc, m, basePath));
    out = pass(out, file, t.model, (doc, m) =>
      writePolicy(doc, m.entry, POLICY, plan.loaded, { colon: false, list: false, inline: false }, [
        'name',
        'base_path',
        'model_platform',
        'model_type',
      ]),
    );
    out = pass(out, file, t.model, (doc, m) => setLabels(doc, m, plan.labels));
    const after = readModel(parseTextProto(out, file), t.model);
    const broken = twoPushViolations(before, after, o.allowUnavailableLabels);
    // By construction this cannot happen; a file that breaks the rule must never be written.
    if (broken.length) throw new Error(`internal error: ${file}: ${broken.join('; ')}`);
    const notes: string[] = [];
    if (list(before.loaded) !== list(after.loaded))
      notes.push(`${file}: ${t.model} loads versions ${list(after.loaded)} (was ${list(before.loaded)})`);
    for (const [label, v] of after.labels)
      if (before.labels.get(label) !== v) notes.push(`${file}: label ${label} → version ${v}`);
    for (const label of before.labels.keys())
      if (!after.labels.has(label)) notes.push(`${file}: label ${label} removed`);
    for (const p of plan.pending)
      notes.push(
        `${file}: label ${p.label} moves to version ${p.version} in a later commit, once that version is loaded (a label may only name a loaded version)`,
      );
    return { text: out, pendingLabels: plan.pending, notes };
  },
};
