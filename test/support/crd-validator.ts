import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * The workplace's shared folder: ../shared next to the repository (developer machines), else
 * MLCTL_SHARED_DIR, else /work/shared (a clone made elsewhere on the same machine, as CI does).
 */
export function sharedDir(sub: string): string {
  const candidates = [
    fileURLToPath(new URL(`../../../shared/${sub}`, import.meta.url)),
    ...(process.env.MLCTL_SHARED_DIR ? [join(process.env.MLCTL_SHARED_DIR, sub)] : []),
    join('/work/shared', sub),
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

export const CRD_DIR = sharedDir('crds');
export const haveCrds = existsSync(CRD_DIR);

type Schema = Record<string, unknown>;

/** Validate Kubernetes documents against the openAPIV3Schema of their apiVersion/kind in the real CRDs. */
let cached: ((doc: { apiVersion: string; kind: string }) => string[]) | undefined;

/** Parsing the CRD files takes seconds (KServe's is large): once per test file. */
export function crdValidator() {
  cached ??= buildValidator();
  return cached;
}

function buildValidator() {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const k of [
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-int-or-string',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-validations',
    'x-kubernetes-embedded-resource',
  ])
    ajv.addKeyword(k);
  for (const f of ['int32', 'int64', 'double', 'float', 'byte', 'quantity']) ajv.addFormat(f, true);
  const schemas = new Map<string, Schema>();
  for (const file of readdirSync(CRD_DIR).filter((f) => f.endsWith('.yaml'))) {
    for (const d of parseAllDocuments(readFileSync(join(CRD_DIR, file), 'utf8')) as Array<{ toJS(): Schema }>) {
      const crd = d.toJS() as {
        kind?: string;
        spec?: {
          group: string;
          names: { kind: string };
          versions: Array<{ name: string; schema?: { openAPIV3Schema: Schema } }>;
        };
      };
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      for (const v of crd.spec.versions) {
        if (!v.schema) continue;
        const s = structuredClone(v.schema.openAPIV3Schema);
        // Istio's schemas omit the envelope; every object has it.
        s.properties = {
          apiVersion: { type: 'string' },
          kind: { type: 'string' },
          metadata: { type: 'object' },
          ...((s.properties as Schema) ?? {}),
        };
        schemas.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, s);
      }
    }
  }
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  return (doc: { apiVersion: string; kind: string }): string[] => {
    const key = `${doc.apiVersion}/${doc.kind}`;
    const schema = schemas.get(key);
    if (!schema) return [`no CRD schema for ${doc.apiVersion} ${doc.kind}`];
    // KServe's schema is large: compile each kind once.
    const validate = compiled.get(key) ?? ajv.compile(schema);
    compiled.set(key, validate);
    return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
