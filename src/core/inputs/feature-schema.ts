import { z } from 'zod';
import { parseJsonDoc, readInputFile, zodToUsage } from './located-doc.js';

export const FEATURE_TYPES = ['boolean', 'integer', 'long', 'float', 'double', 'string', 'binary', 'datetime'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

const Field = z
  .object({
    name: z.string().min(1, 'name must not be empty'),
    type: z.enum(FEATURE_TYPES, {
      error: (iss) => `unknown type ${JSON.stringify(iss.input)}; use one of ${FEATURE_TYPES.join(', ')}`,
    }),
    required: z.boolean().optional(),
    nullable: z.boolean().optional(),
    values: z.array(z.union([z.string(), z.number()])).optional(),
    shape: z.array(z.number().int()).optional(),
    description: z.string().optional(),
  })
  .strict();

export const FeatureSchema = z
  .object({
    inputs: z.array(Field),
    outputs: z.array(Field).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    for (const side of ['inputs', 'outputs'] as const) {
      const seen = new Set<string>();
      s[side].forEach((f, i) => {
        if (seen.has(f.name))
          ctx.addIssue({
            code: 'custom',
            path: [side, i, 'name'],
            message: `duplicate field name ${JSON.stringify(f.name)}`,
          });
        seen.add(f.name);
      });
    }
  });
export type FeatureSchema = z.infer<typeof FeatureSchema>;
export type FeatureField = z.infer<typeof Field>;

export function parseFeatureSchema(text: string, label: string): FeatureSchema {
  const doc = parseJsonDoc(text, label);
  const r = FeatureSchema.safeParse(doc.value);
  if (!r.success) throw zodToUsage(doc, r.error);
  return r.data;
}

export function readFeatureSchema(file: string, label = file): FeatureSchema {
  return parseFeatureSchema(readInputFile(file, label), label);
}
