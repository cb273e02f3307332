import type { FeatureField, FeatureSchema } from '../inputs/feature-schema.js';
import { SCHEMA_RULES, type SchemaRule } from './policy.js';

export interface SchemaFinding {
  rule: SchemaRule;
  field: string;
  side: 'inputs' | 'outputs';
  detail: string;
  severity: 'error' | 'warn' | 'off';
  breaking: boolean;
}

// A value of the old type always fits the new one.
const WIDENS: Record<string, string[]> = {
  integer: ['long', 'float', 'double'],
  long: ['double'],
  float: ['double'],
};

const BREAKING = new Set<SchemaRule>([
  'new_required_input',
  'optional_to_required',
  'type_narrowed',
  'type_changed',
  'domain_shrunk',
  'output_removed',
  'output_retyped',
]);

/**
 * Compare the candidate's feature schema with the champion's, from the point of view of callers
 * built against the champion: what they send must still be accepted, what they read must still exist.
 */
export function schemaCompatibility(
  base: FeatureSchema,
  cand: FeatureSchema,
  overrides: Partial<Record<SchemaRule, 'error' | 'warn' | 'off'>>,
): SchemaFinding[] {
  const out: SchemaFinding[] = [];
  const add = (rule: SchemaRule, side: 'inputs' | 'outputs', field: string, detail: string) =>
    out.push({
      rule,
      side,
      field,
      detail,
      severity: overrides[rule] ?? SCHEMA_RULES[rule],
      breaking: BREAKING.has(rule),
    });
  const bi = new Map(base.inputs.map((f) => [f.name, f]));
  const ci = new Map(cand.inputs.map((f) => [f.name, f]));
  for (const [name, c] of ci) {
    const b = bi.get(name);
    if (!b) {
      if (c.required)
        add(
          'new_required_input',
          'inputs',
          name,
          `new required input ${name} (${c.type}): existing callers do not send it`,
        );
      continue;
    }
    if (c.required && !b.required) add('optional_to_required', 'inputs', name, `${name} became required`);
    typeChange(b, c, 'inputs', add);
    domainChange(b, c, 'inputs', add);
  }
  for (const [name, b] of bi)
    if (!ci.has(name)) add('input_removed', 'inputs', name, `input ${name} (${b.type}) is no longer used`);
  const bo = new Map(base.outputs.map((f) => [f.name, f]));
  const co = new Map(cand.outputs.map((f) => [f.name, f]));
  for (const [name, b] of bo) {
    const c = co.get(name);
    if (!c) add('output_removed', 'outputs', name, `output ${name} was removed or renamed: callers read it`);
    else if (c.type !== b.type)
      add('output_retyped', 'outputs', name, `output ${name} changed type ${b.type} → ${c.type}`);
  }
  for (const [name, c] of co) if (!bo.has(name)) add('output_added', 'outputs', name, `new output ${name} (${c.type})`);
  return out;
}

function typeChange(
  b: FeatureField,
  c: FeatureField,
  side: 'inputs',
  add: (r: SchemaRule, s: 'inputs', f: string, d: string) => void,
): void {
  if (b.type === c.type) return;
  if (WIDENS[b.type]?.includes(c.type)) add('type_widened', side, b.name, `${b.name} widened ${b.type} → ${c.type}`);
  else if (WIDENS[c.type]?.includes(b.type))
    add('type_narrowed', side, b.name, `${b.name} narrowed ${b.type} → ${c.type}: existing values may not fit`);
  else add('type_changed', side, b.name, `${b.name} changed type ${b.type} → ${c.type}`);
}

function domainChange(
  b: FeatureField,
  c: FeatureField,
  side: 'inputs',
  add: (r: SchemaRule, s: 'inputs', f: string, d: string) => void,
): void {
  if (!b.values && !c.values) return;
  if (!c.values) return; // unrestricted now: grew
  const cv = new Set(c.values.map(String));
  if (!b.values) {
    add('domain_shrunk', side, b.name, `${b.name} now accepts only [${c.values.join(', ')}]`);
    return;
  }
  const lost = b.values.map(String).filter((v) => !cv.has(v));
  if (lost.length)
    add('domain_shrunk', side, b.name, `${b.name} no longer accepts ${lost.map((v) => JSON.stringify(v)).join(', ')}`);
  const bv = new Set(b.values.map(String));
  const gained = c.values.map(String).filter((v) => !bv.has(v));
  if (gained.length)
    add('domain_grown', side, b.name, `${b.name} also accepts ${gained.map((v) => JSON.stringify(v)).join(', ')}`);
}
