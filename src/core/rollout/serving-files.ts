import { existsSync } from 'node:fs';
import { readInputFile } from '../inputs/located-doc.js';
import { isAbsolute, join, relative } from 'node:path';
import { UsageError } from '../errors.js';
import { adapterFor } from '../serving/catalog.js';
import { kindOf, mentionsKind, parseServingFile, refuseForeignOwners, splitDocuments } from '../serving/yaml-docs.js';
import type { PendingLabel, ServingAdapter, ServingDocs, TextProtoAdapter, TrafficTarget } from '../serving/types.js';
import { keepUnchangedLines, yamlStyleOf } from '../serving/yaml-style.js';
import type { ServingSpec } from '../config/index.js';

export interface ServingEdit {
  /** As written in mlctl.yaml (relative to the project root). */
  file: string;
  path: string;
  before: string;
  after: string;
  /** Text-proto adapters: labels that wait for a later commit (two-push rule); empty or absent: none. */
  pendingLabels?: PendingLabel[];
  /** Text-proto adapters: what changed and why. */
  notes?: string[];
}

/**
 * Load the model's serving files, let the adapter express `target`, validate the result, and return
 * the new texts (nothing is written here). Only documents of the adapter's kinds are parsed and
 * re-rendered, in the author's indentation style, and every line of theirs that did not change is
 * given back byte for byte; every other document stays byte for byte (and costs no YAML parsing: a
 * big GitOps file of Services and ConfigMaps does not slow a stage change down). Documents the
 * adapter adds go after the last one it edited.
 */
export function renderServing(root: string, model: string, spec: ServingSpec, target: TrafficTarget): ServingEdit[] {
  const adapter = adapterFor(spec.adapter);
  if (adapter.format === 'textproto') return renderTextProto(root, model, spec, adapter, target);
  return renderYaml(root, model, spec, adapter, target);
}

/** A serving file's path and text; it must be inside the project folder. */
function readServingFile(root: string, model: string, file: string, example: string) {
  const path = isAbsolute(file) ? file : join(root, file);
  if (relative(root, path).startsWith('..'))
    throw new UsageError(`serving.${model}.files: ${file} is outside the project folder ${root}`);
  if (!existsSync(path))
    throw new UsageError(
      `serving.${model}.files: cannot read ${file} (ENOENT); create it from templates/serving/${example} or fix the path`,
    );
  // Bounded like every input file (issue 11.14).
  return { path, before: readInputFile(path, file) };
}

/** Each file is one text-format protobuf config; the adapter maps its text to the next text (pure). */
function renderTextProto(
  root: string,
  model: string,
  spec: ServingSpec,
  adapter: TextProtoAdapter,
  target: TrafficTarget,
): ServingEdit[] {
  const options = { allowUnavailableLabels: spec.allowUnavailableLabels ?? false };
  return spec.files.map((file) => {
    const { path, before } = readServingFile(root, model, file, adapter.example);
    const r = adapter.apply(before, file, target, options);
    return { file, path, before, after: r.text, pendingLabels: r.pendingLabels, notes: r.notes };
  });
}

function renderYaml(
  root: string,
  model: string,
  spec: ServingSpec,
  adapter: ServingAdapter,
  target: TrafficTarget,
): ServingEdit[] {
  // Deployments are parsed only when named in serving.<model>.deployments; every other one stays byte for byte.
  const deployments = spec.deployments ?? [];
  const kinds = deployments.length ? [...adapter.kinds, 'Deployment'] : adapter.kinds;
  const loaded = spec.files.map((file) => {
    const { path, before } = readServingFile(root, model, file, `${spec.adapter}.yaml`);
    const parts = splitDocuments(before).map((text) => {
      if (!mentionsKind(text, kinds)) return { text, doc: null };
      const docs = parseServingFile(text, file);
      if (docs.length !== 1)
        throw new UsageError(`${file}: could not read one YAML document at "${text.split('\n', 1)[0]}"`);
      const { kind, name } = kindOf(docs[0]!);
      if (kind === 'Deployment' && !adapter.kinds.includes(kind) && !deployments.includes(name))
        return { text, doc: null };
      return { text, doc: docs[0]! };
    });
    const docs = parts.flatMap((p) => (p.doc ? [p.doc] : []));
    refuseForeignOwners(docs, file);
    return { file, path, before, parts, docs };
  });
  const owner = new Map<object, number>();
  loaded.forEach((l, i) => l.docs.forEach((d) => owner.set(d, i)));
  const all: ServingDocs = loaded.flatMap((l) => l.docs);
  const out = adapter.apply(all, target, { deployments });
  const problems = adapter.check(out);
  if (problems.length)
    throw new UsageError(
      `serving.${model}: the ${spec.adapter} config for this step would be invalid: ${problems.join('; ')}`,
    );
  const kept = new Set<object>(out);
  const added = out.filter((d) => !owner.has(d));
  const firstWithDocs = Math.max(
    0,
    loaded.findIndex((l) => l.docs.length > 0),
  );
  return loaded.map((l, i) => {
    const pieces: string[] = [];
    const lastEdited = l.parts.reduce((last, p, j) => (p.doc && kept.has(p.doc) ? j : last), -1);
    // New documents are written in the style of the file's first document mlctl edits (or its first).
    const model = l.parts.find((p) => p.doc) ?? l.parts[0];
    const addedStyle = yamlStyleOf(model?.text ?? '');
    l.parts.forEach((p, j) => {
      if (!p.doc) pieces.push(p.text);
      else if (kept.has(p.doc)) pieces.push(keepUnchangedLines(p.text, p.doc.toString(yamlStyleOf(p.text))));
      if (i === firstWithDocs && j === lastEdited)
        for (const d of added) pieces.push(ensureBreak(pieces), d.toString(addedStyle));
    });
    if (i === firstWithDocs && lastEdited < 0)
      for (const d of added) pieces.push(ensureBreak(pieces), d.toString(addedStyle));
    return { file: l.file, path: l.path, before: l.before, after: pieces.join('') };
  });
}

/** A new document must start on its own line. */
function ensureBreak(pieces: string[]): string {
  const last = pieces[pieces.length - 1];
  return last !== undefined && last.length > 0 && !last.endsWith('\n') ? '\n' : '';
}
