export interface Envelope {
  ok: boolean;
  command: string;
  data: unknown;
  warnings: string[];
  errors: Array<{ kind: string; message: string }>;
}

export function envelope(
  command: string,
  data: unknown,
  warnings: string[] = [],
  errors: Envelope['errors'] = [],
): string {
  const doc: Envelope = { ok: errors.length === 0, command, data, warnings, errors };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
