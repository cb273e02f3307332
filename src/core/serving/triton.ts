import { applyEdits } from './textproto/edit.js';
import { parseTextProto, type TpDocument } from './textproto/parse.js';
import { failAt, only, stringOf } from './textproto/query.js';
import { readPolicy, versionsToLoad, writePolicy } from './version-policy.js';
import type { TextProtoAdapter, TextProtoResult, TrafficTarget } from './types.js';

/**
 * Triton's per-model config.pbtxt (ModelConfig in text format). The file belongs to one model: its
 * `name`, when given, must be the model's (Triton otherwise takes the folder's name). Only
 * `version_policy` is edited: both versions during a rollout, the new champion alone after full's
 * window, the champion alone after a rollback. Triton has no version labels, so no two-push rule.
 */

const POLICY = 'version_policy';

function check(doc: TpDocument, model: string) {
  const name = only(doc, doc.root, 'name');
  if (name && stringOf(doc, name) !== model)
    throw failAt(
      doc,
      name.value,
      `name: this config.pbtxt configures model "${stringOf(doc, name)}", not "${model}"; list ${model}'s own config.pbtxt in serving.${model}.files`,
    );
  return readPolicy(doc, doc.root, POLICY);
}

/** The versions the file's specific policy loads (null: latest, all, or none given). */
export function readTritonVersions(text: string, file: string, model: string): number[] | null {
  return check(parseTextProto(text, file), model).loaded;
}

const list = (v: number[] | null) => (v === null ? 'by its policy' : v.length ? v.join(', ') : 'nothing');

export const tritonAdapter: TextProtoAdapter = {
  format: 'textproto',
  name: 'triton',
  supportsShadow: false,
  example: 'triton.config.pbtxt',
  apply(text: string, file: string, t: TrafficTarget): TextProtoResult {
    const doc = parseTextProto(text, file);
    const before = check(doc, t.model);
    const versions = versionsToLoad(t);
    const out = applyEdits(
      text,
      writePolicy(doc, doc.root, POLICY, versions, { colon: true, list: true, inline: true }, [
        'name',
        'platform',
        'backend',
        'max_batch_size',
      ]),
    );
    const after = check(parseTextProto(out, file), t.model);
    if (list(after.loaded) !== versions.join(', '))
      throw new Error(`internal error: ${file}: version_policy not written`);
    const notes =
      list(before.loaded) === list(after.loaded)
        ? []
        : [`${file}: ${t.model} loads versions ${list(after.loaded)} (was ${list(before.loaded)})`];
    return { text: out, pendingLabels: [], notes };
  },
};
