import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseYamlDoc, readInputFile, type LocatedDoc } from '../inputs/located-doc.js';
import { Shape } from './shape.js';

export const CONFIG_FILE = 'mlctl.yaml';

/** Every top-level section of mlctl.yaml; each has one reader in this folder. */
export const SECTIONS = [
  'registry',
  'artifacts',
  's3',
  'gates',
  'serving',
  'rollout',
  'git',
  'rollback',
  'adr',
  'gc',
] as const;
export type SectionName = (typeof SECTIONS)[number];

/** mlctl.yaml parsed, its top level checked; sections still raw, with the document to locate lines. */
export interface ConfigDoc {
  file: string;
  doc: LocatedDoc;
  sections: Partial<Record<SectionName, unknown>>;
}

/** mlctl.yaml in `cwd` or the nearest parent folder (like .git). */
export function findConfig(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (let i = 0; i < 256; i++) {
    const f = join(dir, CONFIG_FILE);
    if (existsSync(f)) return f;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

export function readConfigDoc(file: string): ConfigDoc {
  return configDoc(parseYamlDoc(readInputFile(file), file), file);
}

export function configDoc(doc: LocatedDoc, file = doc.label): ConfigDoc {
  const sh = new Shape(doc);
  const v = doc.value ?? {};
  if (typeof v !== 'object' || Array.isArray(v))
    sh.fail([], 'expected a mapping of settings such as "registry: .mlctl/registry.db"');
  for (const k of Object.keys(v))
    if (!(SECTIONS as readonly string[]).includes(k))
      sh.fail([], `unknown key ${JSON.stringify(k)}; check the spelling`, [k]);
  return { file, doc, sections: v as ConfigDoc['sections'] };
}
